namespace Porthole.Contracts.Api;

/// <summary><c>GET /api/jobs/{id}/artifacts</c>: CircleCI v2's list shape (<c>items</c>, <c>next_page_token</c>), every item with its size.</summary>
public sealed record ArtifactList(IReadOnlyList<ArtifactView> Items, string? NextPageToken = null);

/// <summary>One artifact: its path as stored (destination prefix first), the node that stored it, where to download it, its bytes.</summary>
public sealed record ArtifactView(string Path, int NodeIndex, string Url, long Size);

/// <summary><c>GET /api/jobs/{id}/recordings</c>: the recorded SSH and debug sessions of the attempt (R-BEY-2), oldest first.</summary>
public sealed record SessionRecordingList(IReadOnlyList<SessionRecordingView> Items);

/// <summary>
/// One recorded session: who (user name, key fingerprint), how (<c>ssh</c> or <c>web</c>), the node, when it started and
/// ended, its length in seconds, its size, whether the node cut it at its cap, and where to download it (an asciicast v2
/// file for <c>asciinema play</c>).
/// </summary>
public sealed record SessionRecordingView(
    long Id,
    int NodeIndex,
    string UserName,
    string Fingerprint,
    string Via,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    double Seconds,
    long Size,
    bool Truncated,
    string Url);

/// <summary>
/// <c>GET /api/jobs/{id}/tests</c>: the counts, and CircleCI v2's test items (failed and errored first, then skipped, then
/// passed; each group by file, class and name).
/// </summary>
public sealed record TestResultList(TestCounts Counts, IReadOnlyList<TestCaseView> Items, string? NextPageToken = null);

public sealed record TestCounts(int Total, int Passed, int Failed, int Errored, int Skipped)
{
    /// <summary>Cases the nodes sent past the server's cap of cases per node: counted here, not stored or listed.</summary>
    public int Ignored { get; init; }
}

/// <summary>
/// One test case as CircleCI v2 shows it (<c>result</c>: <c>success</c>, <c>failure</c>, <c>error</c>, <c>skipped</c>;
/// <c>run_time</c> in seconds; <c>source</c>: the report it came from), with the node, and an id unique in the job for a link
/// (<c>#test-ID</c> on the job page).
/// </summary>
public sealed record TestCaseView(
    long Id,
    string Name,
    string Classname,
    string? File,
    string Result,
    double RunTime,
    string? Message,
    string? Details,
    string? Source,
    int NodeIndex);
