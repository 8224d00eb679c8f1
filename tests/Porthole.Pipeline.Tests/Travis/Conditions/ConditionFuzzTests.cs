using System.Diagnostics;
using System.Text;
using Porthole.Pipeline.Travis.Conditions;

namespace Porthole.Pipeline.Tests.Travis.Conditions;

/// <summary>
/// Thousands of random and mutated conditions (seeded, so a failure is reproducible): parsing and evaluation never
/// throw and never hang; every refusal has a one-line message and an offset inside the text.
/// </summary>
public sealed class ConditionFuzzTests
{
    private static readonly string[] Tokens =
    [
        "branch", "tag", "type", "repo", "fork", "commit_message", "BRANCH", "env(", "ENV(", "concat(", "(", ")", "((", "))",
        "AND", "and", "OR", "NOT", "not", "!", "&&", "||", "=", "==", "!=", "=~", "~=", "!~", "IN", "NOT IN", "in",
        "IS", "IS NOT", "is", "present", "blank", "true", "false", "/", "/^v\\d+/", "\\/", "'", "\"", "'a b'", "\"x\"",
        ",", "$X", "${Y}", "$(z)", "foo", "master", "^v[0-9]+", "(?i:x)", "\\h", "\\K", "[[:alpha:]]", "a{,2}", "(a+)+",
        "\\", "\n", "\\\n", " ", "\t", "*", "+", "?", "[", "]", "{", "}", "#", "é", "\u0000",
    ];

    private static readonly char[] Noise = "()'\"/\\$!=~,|&^*+?[]{} \n\tAaZz09_-.#é".ToCharArray();

    private static readonly ConditionData[] Requests =
    [
        new ConditionData(),
        new ConditionData
        {
            Type = "push", Repo = "octo/app", Branch = "master", Tag = "v1.2.3", CommitMessage = "Fix [ci skip]\nsecond line",
            Sender = "octocat", Fork = false, Os = "linux", Language = "ruby",
            Env = new Dictionary<string, string> { ["X"] = "1", ["FOO"] = "'bar'", ["RE"] = "(", ["Y"] = "true", ["a"] = "^a" },
        },
        new ConditionData { Branch = "", Tag = "", CommitMessage = new string('a', 300) + "!", Fork = true, Draft = true },
    ];

    [Fact]
    public void Random_and_mutated_conditions_never_throw_or_hang()
    {
        var random = new Random(20130613);
        var seeds = FixtureLines();
        var cases = new List<string>();
        for (var i = 0; i < 3000; i++)
        {
            cases.Add(RandomTokens(random));
        }

        for (var i = 0; i < 3000; i++)
        {
            cases.Add(Mutate(random, seeds[random.Next(seeds.Count)]));
        }

        for (var i = 0; i < 1000; i++)
        {
            cases.Add(RandomChars(random));
        }

        var parsed = 0;
        var slowest = TimeSpan.Zero;
        RunWithin(TimeSpan.FromMinutes(2), () =>
        {
            foreach (var text in cases)
            {
                var clock = Stopwatch.StartNew();
                parsed += Check(text) ? 1 : 0;
                slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;
            }
        });

        Assert.True(slowest < TimeSpan.FromSeconds(3), $"the slowest case took {slowest}");
        // The generators must exercise both outcomes, or the test proves little.
        Assert.InRange(parsed, 500, cases.Count - 500);
    }

    [Fact]
    public void Pathological_inputs_are_refused_quickly()
    {
        string[] cases =
        [
            new string('(', 10_000), new string(')', 10_000), string.Concat(Enumerable.Repeat("NOT ", 2_500)),
            string.Concat(Enumerable.Repeat("env(", 2_500)), new string('\\', 10_000), string.Concat(Enumerable.Repeat("\\\n", 5_000)),
            "a =~ /" + new string('\\', 9_000), "x = '" + new string('a', 9_000), string.Concat(Enumerable.Repeat("a IN (", 1_500)),
            new string('a', 20_000), "a =~ /" + new string('(', 4_000) + new string(')', 4_000) + "/",
            "a =~ /" + string.Concat(Enumerable.Repeat("(?:a|", 1_500)) + new string(')', 1_500) + "/",
            "a =~ /" + string.Concat(Enumerable.Repeat("[[:alpha:]]{,9}", 500)) + "/",
        ];
        RunWithin(TimeSpan.FromMinutes(1), () =>
        {
            foreach (var text in cases)
            {
                var clock = Stopwatch.StartNew();
                Check(text);
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"{text[..10]}… took {clock.Elapsed}");
            }
        });
    }

    /// <summary>Runs <paramref name="work"/> on another thread so that a hang fails the test instead of stalling the run.</summary>
    private static void RunWithin(TimeSpan limit, Action work)
    {
        var task = Task.Run(work);
        Assert.True(task.Wait(limit), $"still running after {limit}");
        task.GetAwaiter().GetResult();
    }

    /// <summary>True when the text parsed; asserts the outcome is well-formed either way.</summary>
    private static bool Check(string text)
    {
        var condition = TravisCondition.Parse(text, out var error);
        if (condition is null)
        {
            Assert.NotNull(error);
            Assert.InRange(error.Offset, 0, text.Length);
            Assert.False(string.IsNullOrWhiteSpace(error.Message));
            Assert.DoesNotContain('\n', error.Message);
            return false;
        }

        Assert.Null(error);
        Assert.Equal(condition.ToString(), TravisCondition.Parse(text, out _)!.ToString());
        foreach (var request in Requests)
        {
            var result = condition.Evaluate(request, out var problem);
            Assert.True(problem is null || !result, $"'{text}' is true despite: {problem}");
        }

        return true;
    }

    private static string RandomTokens(Random random)
    {
        var text = new StringBuilder();
        var count = random.Next(1, 30);
        for (var i = 0; i < count; i++)
        {
            text.Append(Tokens[random.Next(Tokens.Length)]);
            text.Append(random.Next(4) == 0 ? "" : " ");
        }

        return text.ToString();
    }

    private static string Mutate(Random random, string seed)
    {
        var text = new StringBuilder(seed);
        var mutations = random.Next(1, 5);
        for (var i = 0; i < mutations; i++)
        {
            var at = random.Next(text.Length + 1);
            switch (random.Next(5))
            {
                case 0 when at < text.Length:
                    text.Remove(at, Math.Min(random.Next(1, 6), text.Length - at));
                    break;
                case 1:
                    text.Insert(at, Tokens[random.Next(Tokens.Length)]);
                    break;
                case 2 when at < text.Length:
                    text[at] = Noise[random.Next(Noise.Length)];
                    break;
                case 3 when at < text.Length:
                    var piece = text.ToString(at, Math.Min(random.Next(1, 20), text.Length - at));
                    text.Insert(random.Next(text.Length + 1), piece);
                    break;
                default:
                    text.Length = at;
                    break;
            }
        }

        return text.ToString();
    }

    private static string RandomChars(Random random)
    {
        var text = new char[random.Next(0, 200)];
        for (var i = 0; i < text.Length; i++)
        {
            text[i] = random.Next(5) == 0 ? (char)random.Next(0, 0x3000) : Noise[random.Next(Noise.Length)];
        }

        return new string(text);
    }

    private static List<string> FixtureLines() =>
        new[] { "passes.txt", "failures.txt" }
            .SelectMany(name => File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Travis", "Conditions", "Fixtures", name)))
            .Where(line => line.Trim().Length > 0 && !line.Trim().StartsWith('#'))
            .ToList();
}
