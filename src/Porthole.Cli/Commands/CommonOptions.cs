using System.CommandLine;
using System.Globalization;

namespace Porthole.Cli.Commands;

/// <summary>Options and arguments several commands share, and the printing of <c>--json</c> answers.</summary>
internal static class CommonOptions
{
    public static Option<bool> Json() => new("--json")
    {
        Description = "Print the API's JSON answer as it is instead of a table",
    };

    /// <summary><c>--attempt N</c> (<c>-a</c>) of a job's data; the latest attempt when not given.</summary>
    public static Option<int?> Attempt() => new("--attempt", "-a") { Description = "The attempt; default the latest", HelpName = "N" };

    /// <summary>The attempt asked for, refused below 1 as a usage error.</summary>
    public static int? CheckAttempt(int? attempt) =>
        attempt is < 1 ? throw CliException.Usage("--attempt must be 1 or more") : attempt;

    /// <summary><c>?attempt=N</c>, or nothing for the latest.</summary>
    public static string AttemptQuery(int? attempt) =>
        attempt is { } a ? string.Create(CultureInfo.InvariantCulture, $"?attempt={a}") : "";

    public static Argument<string> Project() => new("project")
    {
        Description = "The project's name",
    };

    public static Argument<long> JobId() => Id("job", "The job's id (as in 'job 12'), not its pipeline's or its workflow's");

    public static Argument<long> PipelineId() => Id("pipeline", "The pipeline's id (as in 'pipeline 7'), not its number in the project");

    private static Argument<long> Id(string kind, string description) => new(kind)
    {
        Description = description,
        CustomParser = result =>
        {
            var token = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
            {
                return id;
            }

            result.AddError($"'{token}' is not a {kind} id: ids are whole numbers, as in '{kind} 12'");
            return 0;
        },
    };

    public static async Task WriteJsonAsync(CliContext context, string json, CancellationToken cancellationToken)
    {
        await context.Output.WriteAsync(json.AsMemory(), cancellationToken);
        if (!json.EndsWith('\n'))
        {
            await context.Output.WriteLineAsync();
        }
    }
}
