using System.CommandLine;
using Porthole.Pipeline;
using Porthole.Pipeline.Orbs;

namespace Porthole.Cli.Commands;

/// <summary>
/// What <c>config validate</c> and <c>config process</c> compile a CircleCI config with, as CircleCI's own command takes
/// them: pipeline parameters, the branch or tag (for filters and <c>pipeline.git.*</c>), and a folder of registry orbs.
/// </summary>
internal sealed class CompileOptions
{
    private readonly Option<string[]> _parameters = new("--param")
    {
        Description = "A pipeline parameter, name=value (repeatable)",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<string> _branch = new("--branch") { Description = "Compile as a pipeline of this branch (filters, << pipeline.git.branch >>)" };

    private readonly Option<string> _tag = new("--tag") { Description = "Compile as a pipeline of this tag" };

    private readonly Option<string> _orbs = new("--orbs") { Description = "A folder of registry orbs laid out as NS/NAME/X.Y.Z.yml" };

    public void AddTo(Command command)
    {
        command.Options.Add(_parameters);
        command.Options.Add(_branch);
        command.Options.Add(_tag);
        command.Options.Add(_orbs);
        command.Validators.Add(result =>
        {
            if (result.GetValue(_branch) is not null && result.GetValue(_tag) is not null)
            {
                result.AddError("give --branch or --tag, not both: a pipeline builds one of them");
            }

            foreach (var parameter in result.GetValue(_parameters) ?? [])
            {
                if (parameter.IndexOf('=', StringComparison.Ordinal) <= 0)
                {
                    result.AddError($"--param takes name=value, found '{parameter}'");
                }
            }

            if (result.GetValue(_orbs) is { } folder && !Directory.Exists(folder))
            {
                result.AddError($"--orbs {folder}: no such folder");
            }
        });
    }

    public ConfigInputs Read(ParseResult result)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var parameter in result.GetValue(_parameters) ?? [])
        {
            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            parameters[parameter[..equals]] = parameter[(equals + 1)..];
        }

        return new ConfigInputs
        {
            Values = new PipelineValues
            {
                Branch = result.GetValue(_branch),
                Tag = result.GetValue(_tag),
                Parameters = parameters,
            },
            Orbs = result.GetValue(_orbs) is { } folder ? new DirectoryOrbSource(folder) : null,
        };
    }
}
