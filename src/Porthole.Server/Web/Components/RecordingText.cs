using System.Globalization;
using Porthole.Contracts.Api;
using Porthole.Contracts.Ssh;

namespace Porthole.Server.Web.Components;

/// <summary>A session recording as the job page's list and its replay page both say it.</summary>
public static class RecordingText
{
    /// <summary>How the session came in: an ssh client, or the job page's terminal.</summary>
    public static string Via(string via) => via switch
    {
        SshVia.Ssh => "ssh",
        SshVia.Web => "browser terminal",
        var other => other,
    };

    public static string Length(SessionRecordingView recording) => DurationText.Format(TimeSpan.FromSeconds(recording.Seconds));

    /// <summary>The name a download is saved as: the API's own (its Content-Disposition), so both ways give the same file.</summary>
    public static string FileName(long jobId, SessionRecordingView recording) =>
        string.Create(CultureInfo.InvariantCulture, $"job-{jobId}-node-{recording.NodeIndex}-session-{recording.Id}.cast");
}
