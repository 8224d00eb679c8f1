using Porthole.Contracts.Plans;
using Porthole.Pipeline.Travis;
using Porthole.Pipeline.Yaml;
using Porthole.Testing;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.Travis;

/// <summary>
/// Travis <c>{secure: "…"}</c> env entries (dialects.md §B12): accepted wherever an env entry may be, carried apart from
/// the plain variables in the order Travis exports them (the global ones first), each a job of its own in the matrix and
/// compared by its ciphertext (§B9); a value of the wrong form is an error at its node that never shows the value.
/// </summary>
public sealed class TravisSecureEnvTests
{
    /// <summary>Base64 of 256 bytes: the ciphertext size of a 2048-bit key, as Travis's older repositories have.</summary>
    private static readonly string G1 = Cipher(1);
    private static readonly string G2 = Cipher(2);
    private static readonly string J1 = Cipher(3);
    private static readonly string J2 = Cipher(4);

    private static string Cipher(byte seed) => Convert.ToBase64String([.. Enumerable.Range(0, 256).Select(i => (byte)(i * 7 + seed))]);

    private static IReadOnlyList<JobPlan> Jobs(params string[] lines) => Planned(ReadTravis(lines)).Workflows.Single().Jobs;

    private static string[] Secure(JobPlan job) => [.. job.SecureEnvironment.Select(value => value.Ciphertext)];

    [Fact]
    public void A_global_secure_value_is_carried_with_its_place_and_exports_nothing_in_the_plan()
    {
        var job = OnlyJob(ReadTravis("language: shell", "env:", "  global:", "    - A=1", $"    - secure: \"{G1}\"", "script: make"));

        Assert.Equal([new SecureValuePlan(G1, 5, 7)], job.SecureEnvironment);
        Assert.Equal([new EnvironmentVariable("A", "1")], job.Environment);
        Assert.All(job.Steps, step => Assert.DoesNotContain(G1, step.Command ?? "", StringComparison.Ordinal));
        Assert.DoesNotContain(G1, job.SecureEnvironment[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Global_secure_values_come_first_then_the_jobs_in_the_order_written()
    {
        // §B9 step 6: every job's env is the global entries, then its own; travis-build exports them in that order.
        var jobs = Jobs(
            "language: shell",
            "env:",
            "  global:",
            $"    - secure: {G1}",
            "    - A=1",
            $"    - {{secure: {G2}}}",
            "  jobs:",
            "    - B=1",
            $"    - secure: {J1}",
            "jobs:",
            "  include:",
            $"    - env: [C=1, {{secure: {J2}}}, {{secure: {J1}}}]",
            "script: make");

        Assert.Equal([[G1, G2], [G1, G2, J1], [G1, G2, J2, J1]], jobs.Select(Secure));
        Assert.Equal([(4, 7), (6, 8), (12, 19), (12, 375)], jobs[2].SecureEnvironment.Select(value => (value.Line, value.Column)));
        Assert.Equal([(4, 7), (6, 8), (9, 7)], jobs[1].SecureEnvironment.Select(value => (value.Line, value.Column)));
        Assert.Equal(["A", "C"], jobs[2].Environment.Select(variable => variable.Name));
    }

    [Fact]
    public void A_secure_value_in_a_plain_env_list_and_as_the_env_map_itself_is_one_job()
    {
        Assert.Equal([J1], Secure(Assert.Single(Jobs("language: shell", "env:", $"  - secure: {J1}", "script: make"))));

        // travis-yml reads an env map that is not global/jobs as one env.jobs entry: here the secure value alone.
        Assert.Equal([J1], Secure(Assert.Single(Jobs("language: shell", "env:", $"  secure: {J1}", "script: make"))));
    }

    [Fact]
    public void An_include_entry_env_may_be_or_hold_a_secure_value_after_the_global_ones()
    {
        var jobs = Jobs(
            "language: shell",
            "script: make",
            "env:",
            "  global:",
            $"    - secure: {G1}",
            "jobs:",
            "  include:",
            $"    - env: {{secure: {J1}}}",
            $"    - env: [A=1, {{secure: {J2}}}]");

        Assert.Equal([[G1, J1], [G1, J2]], jobs.Select(Secure));
        Assert.Equal([(8, 13), (9, 19)], jobs.Select(job => (job.SecureEnvironment[1].Line, job.SecureEnvironment[1].Column)));
    }

    [Fact]
    public void A_secure_matrix_entry_is_a_job_of_its_own_and_allow_failures_matches_it_by_its_ciphertext()
    {
        // §B9: each env.jobs entry is a job; allow_failures compares env without the global env, a secure entry by its text.
        var jobs = Jobs(
            "language: shell",
            "script: make",
            "env:",
            "  global: [G=1]",
            "  jobs:",
            "    - A=1",
            $"    - secure: {J1}",
            $"    - secure: {J2}",
            "jobs:",
            "  allow_failures:",
            $"    - env: {{secure: {J1}}}");

        Assert.Equal(3, jobs.Count);
        Assert.Equal(["False ", $"False {J2}", $"True {J1}"], jobs.Select(job => $"{job.AllowFailure} {string.Join(",", Secure(job))}"));
    }

    [Fact]
    public void Exclude_drops_the_job_of_the_secure_entry_with_that_ciphertext_only()
    {
        var jobs = Jobs(
            "language: shell",
            "script: make",
            "env:",
            $"  - secure: {J1}",
            $"  - secure: {J2}",
            "jobs:",
            "  exclude:",
            $"    - env: {{secure: {J1}}}");

        Assert.Equal([J2], Secure(Assert.Single(jobs)));
    }

    [Fact]
    public void Line_breaks_and_spaces_inside_the_base64_are_allowed_as_Travis_wraps_it()
    {
        // rails's config writes "…\n…" in a double-quoted string; the ciphertext is kept as written, breaks and all.
        var wrapped = $"{G1[..60]}\\n{G1[60..120]}\\n  {G1[120..]}";
        var job = OnlyJob(ReadTravis("language: shell", "env:", $"  - secure: \"{wrapped}\"", "script: make"));

        Assert.Equal($"{G1[..60]}\n{G1[60..120]}\n  {G1[120..]}", Assert.Single(job.SecureEnvironment).Ciphertext);
    }

    [Fact]
    public void A_4096_bit_ciphertext_is_accepted_and_a_longer_one_is_an_error()
    {
        var max = Convert.ToBase64String(new byte[TravisSecureValue.MaxCiphertextBytes]);
        Assert.Single(OnlyJob(ReadTravis("language: shell", "env:", $"  - secure: {max}", "script: make")).SecureEnvironment);

        var over = Convert.ToBase64String(new byte[TravisSecureValue.MaxCiphertextBytes + 3]);
        var error = OnlyError(ReadTravis("language: shell", "env:", $"  - secure: {over}", "script: make"), 3, 13, "decodes to 515 bytes; a secure value is at most 512 bytes");
        Assert.DoesNotContain(over, error.Message, StringComparison.Ordinal);

        var huge = new string('A', 4000);
        OnlyError(ReadTravis("language: shell", "env:", $"  - secure: {huge}", "script: make"), 3, 13, "is 4000 characters long");
    }

    [Theory]
    [InlineData("not base64!!")]
    [InlineData("abc")]
    [InlineData("ab=c")]
    public void A_secure_value_that_is_not_base64_is_an_error_at_the_value_that_does_not_repeat_it(string text)
    {
        var error = OnlyError(ReadTravis("language: shell", "env:", "  global:", $"    - secure: \"{text}\"", "script: make"), 4, 15, "the value of secure is not base64");

        Assert.DoesNotContain(text, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("secure: [a, b]", 3, 13, "the value of secure must be a string (the base64 text that 'porthole encrypt' prints), found a list")]
    [InlineData("secure: {a: b}", 3, 13, "the value of secure must be a string (the base64 text that 'porthole encrypt' prints), found a map")]
    [InlineData("secure:", 3, 12, "the value of secure must be a string (the base64 text that 'porthole encrypt' prints), found nothing")]
    [InlineData("secure: ''", 3, 13, "the value of secure is empty")]
    public void A_secure_value_that_is_not_a_string_is_an_error_at_it(string entry, int line, int column, string message)
    {
        OnlyError(ReadTravis("language: shell", "env:", $"  - {entry}", "script: make"), line, column, message);
    }

    [Fact]
    public void A_map_with_secure_and_another_key_is_an_error_at_the_other_key()
    {
        OnlyError(
            ReadTravis("language: shell", "env:", $"  - secure: {J1}", "    A: 1", "script: make"),
            4,
            5,
            "a secure env entry is a map with the one key secure; 'A' beside it is not allowed");
    }

    [Fact]
    public void A_variable_whose_value_is_a_secure_map_is_an_error_that_says_the_Travis_form()
    {
        var error = OnlyError(ReadTravis("language: shell", "env:", "  - TOKEN:", $"      secure: {J1}", "script: make"), 4, 7, "TOKEN: {secure: …} is not how Travis takes a secure variable");

        Assert.DoesNotContain(J1, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_secure_entry_shows_as_secure_among_the_entrys_words()
    {
        var errors = new ErrorList(TravisPath);
        var env = YamlLoader.Load(Lines("- A=1", $"- secure: {J1}", "- B=2"), errors);

        var entry = TravisEnvReader.ReadJob(env, errors);

        Assert.Equal(0, errors.Count);
        Assert.Equal("A=1 [secure] B=2", entry!.Display);
        Assert.Equal(["A", "B"], entry.Words.Select(word => word.Name));
    }

    public static TheoryData<string, int> CorpusFiles() => new()
    {
        { "typelevel__cats.yml", 2 },
        { "mochajs__mocha.yml", 1 },
        { "rails__rails.yml", 0 },
        { "godotengine__godot.yml", 1 },
        { "square__okhttp.yml", 2 },
    };

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void Corpus_files_with_secure_values_are_read_without_a_secure_error(string file, int global)
    {
        var result = ConfigReader.Read(TravisPath, File.ReadAllText(Path.Combine(CorpusFolder.Root, "travis", file)));

        Assert.DoesNotContain(result.Errors, error => error.Message.Contains("secure", StringComparison.OrdinalIgnoreCase));

        // Each corpus file's secure env values are all in env.global (rails's are notification targets): every job has them.
        Assert.All(Planned(result).Workflows.Single().Jobs, job => Assert.Equal(global, job.SecureEnvironment.Count));
    }
}
