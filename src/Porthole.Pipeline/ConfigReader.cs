using System.Text;
using Porthole.Contracts.Plans;
using Porthole.Pipeline.CircleCi;
using Porthole.Pipeline.CircleCi.Compiler;
using Porthole.Pipeline.Travis;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline;

/// <summary>Reads a CircleCI or Travis config into a <see cref="PipelinePlan"/>, or into errors that say exactly why not.</summary>
public static class ConfigReader
{
    /// <summary>Where a repository's config is looked for, in this order.</summary>
    public static readonly IReadOnlyList<string> KnownPaths = [".circleci/config.yml", ".travis.yml"];

    /// <summary>
    /// Plans the config <paramref name="text"/> read from <paramref name="path"/> (used in errors and to tell
    /// the dialect: a path with "circleci" in it is CircleCI, a file name with "travis" in it is Travis;
    /// otherwise the keys decide). <paramref name="dialect"/> overrides both. <paramref name="options"/> bounds the
    /// pipeline's size (<see cref="ConfigReaderOptions.Default"/> when null). <paramref name="inputs"/> are the trigger's
    /// values and the orb store a CircleCI 2.1 config compiles with (none when null). Never throws: every problem,
    /// including malformed or hostile YAML, is a <see cref="ConfigError"/>.
    /// </summary>
    public static ConfigResult Read(string path, string text, ConfigDialect? dialect = null, ConfigReaderOptions? options = null, ConfigInputs? inputs = null)
    {
        path ??= "";
        text ??= "";
        var errors = new ErrorList(path);
        var schedules = new List<ScheduleTrigger>();
        PipelinePlan? plan;
        try
        {
            plan = Plan(path, text, dialect, options ?? ConfigReaderOptions.Default, inputs ?? ConfigInputs.None, errors, schedules);
        }
#pragma warning disable CA1031 // Read promises never to throw: a bug here must reach the user as an error, not a crash.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            errors.Add(Position.Start, $"internal error while reading the config ({exception.GetType().Name}: {exception.Message})");
            plan = null;
        }

        return new ConfigResult(errors.Count == 0 ? plan : null, errors.ToList()) { Warnings = errors.Warnings(), Schedules = schedules };
    }

    /// <summary>
    /// What <c>porthole config process</c> prints (CLI <c>process.go</c>: "orbs inlined, matrices expanded, parameters
    /// resolved"): a CircleCI config compiled to plain YAML, or the errors that keep it from compiling. The whole config is
    /// also read, so a file that processes is one that plans.
    /// </summary>
    public static ProcessResult Process(string path, string text, ConfigInputs? inputs = null, ConfigReaderOptions? options = null)
    {
        path ??= "";
        text ??= "";
        inputs ??= ConfigInputs.None;
        var read = Read(path, text, ConfigDialect.CircleCi, options, inputs);
        if (!read.IsValid)
        {
            return new ProcessResult(null, read.Errors, read.Warnings);
        }

        var errors = new ErrorList(path);
        try
        {
            if (YamlLoader.Load(text, errors) is MapNode root)
            {
                var plain = CircleCiReader.Process(root, inputs, errors, out var orbs);
                var header = string.Concat(orbs.Select(orb => $"# Orb '{orb.Reference}' resolved to '{orb.Version}'\n"));
                return new ProcessResult(header + CompiledYaml.Write(plain), read.Errors, read.Warnings);
            }
        }
#pragma warning disable CA1031 // as Read: a bug here is an error for the user, never a crash.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            errors.Add(Position.Start, $"internal error while processing the config ({exception.GetType().Name}: {exception.Message})");
        }

        return new ProcessResult(null, [.. read.Errors, .. errors.ToList()], read.Warnings);
    }

    private static PipelinePlan? Plan(
        string path, string text, ConfigDialect? dialect, ConfigReaderOptions options, ConfigInputs inputs, ErrorList errors, List<ScheduleTrigger> schedules)
    {
        // Checked before parsing so a huge file costs nothing; characters never outnumber UTF-8 bytes.
        if (text.Length > ConfigLimits.MaxBytes || Encoding.UTF8.GetByteCount(text) > ConfigLimits.MaxBytes)
        {
            errors.Add(Position.Start, $"config is {Encoding.UTF8.GetByteCount(text)} bytes; the limit is {ConfigLimits.MaxBytesText}");
            return null;
        }

        var root = YamlLoader.Load(text, errors);
        if (errors.Count > 0)
        {
            return null;
        }

        if (root is null or ScalarNode { IsNull: true })
        {
            errors.Add(Position.Start, "the config is empty");
            return null;
        }

        if (root is not MapNode map)
        {
            errors.Add(root, $"the config must be a map of keys, found {root.Describe()}");
            return null;
        }

        switch (dialect ?? DialectDetector.FromPath(path) ?? DialectDetector.FromContent(map))
        {
            case ConfigDialect.CircleCi:
                return CircleCiReader.Read(map, path, new PipelineSize(options, errors, "split the workflow"), errors, inputs, schedules);
            case ConfigDialect.Travis:
                return TravisReader.Read(map, path, new PipelineSize(options, errors, "make the build matrix smaller"), errors, inputs);
            default:
                errors.Add(map, "this is neither a CircleCI config (version:, jobs:, workflows:) nor a Travis one (language:, script:, ...); name it .circleci/config.yml or .travis.yml");
                return null;
        }
    }
}
