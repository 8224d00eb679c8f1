using Porthole.Pipeline.Travis.Conditions;

namespace Porthole.Pipeline.Tests.Travis.Conditions;

/// <summary>What conditions evaluate to (§B11 "Evaluation"; TC eval.rb), with answers worked out by hand from those rules.</summary>
public sealed class ConditionEvaluationTests
{
    private static readonly ConditionData Push = new()
    {
        Type = "push",
        Repo = "octo/app",
        Branch = "master",
        CommitMessage = "Fix the build",
        Sender = "octocat",
        Fork = false,
        Os = "linux",
        Language = "ruby",
        Env = new Dictionary<string, string>
        {
            ["DEPLOY"] = "true",
            ["SKIP"] = "false",
            ["QUOTED"] = "\"prod\"",
            ["SINGLE"] = "'prod'",
            ["NAME"] = "TARGET",
            ["TARGET"] = "prod",
            ["EMPTY"] = "",
            ["ZERO"] = "0",
            ["SLUG"] = "octo/app",
            ["PREFIX"] = "v",
        },
    };

    internal static bool Eval(string text, ConditionData data)
    {
        var condition = TravisCondition.Parse(text, out var error);
        Assert.True(condition is not null, error?.Message);
        var result = condition.Evaluate(data, out var problem);
        Assert.True(problem is null, problem);
        return result;
    }

    [Theory]
    [InlineData("true OR false AND false", true)]
    [InlineData("false AND false OR true", true)]
    [InlineData("NOT false AND false", false)]
    [InlineData("NOT (false AND false)", true)]
    [InlineData("NOT type = cron", true)]
    [InlineData("type = cron OR branch = master AND fork = false", true)]
    [InlineData("(type = cron OR branch = master) AND tag IS present", false)]
    public void Precedence_decides_the_answer(string text, bool expected)
    {
        // NOT > AND > OR; reading the first four in another order would give the other answer.
        Assert.Equal(expected, Eval(text, Push));
    }

    [Theory]
    [InlineData("branch = master", true)]
    [InlineData("branch == master", true)]
    [InlineData("branch != master", false)]
    [InlineData("branch = Master", false)]
    [InlineData("foo = foo", true)]
    [InlineData("foo = bar", false)]
    [InlineData("1 = 1", true)]
    [InlineData("true != false", true)]
    [InlineData("tag = v1", false)]
    [InlineData("tag = ''", false)]
    [InlineData("tag = head_branch", true)]
    [InlineData("env(MISSING) = env(ALSO_MISSING)", true)]
    [InlineData("repo = env(SLUG)", true)]
    [InlineData("env(FOO) = type", false)]
    public void Equality_compares_strings_exactly_and_absent_equals_absent(string text, bool expected)
    {
        // TC eval.rb `eq`: Ruby ==, so nil == nil (two absent values) is true and nil != "".
        Assert.Equal(expected, Eval(text, Push));
    }

    [Theory]
    [InlineData("fork = false", true)]
    [InlineData("fork == FALSE", true)]
    [InlineData("fork = 'false'", true)]
    [InlineData("fork = true", false)]
    [InlineData("env(DEPLOY) = true", true)]
    [InlineData("env(DEPLOY) = True", true)]
    [InlineData("env(SKIP) != false", false)]
    [InlineData("env(ZERO) = false", false)]
    public void Equality_casts_true_and_false_strings_to_booleans(string text, bool expected)
    {
        Assert.Equal(expected, Eval(text, Push));
    }

    [Fact]
    public void The_cast_applies_to_variables_too()
    {
        var data = Push with { Branch = "TRUE" };
        Assert.True(Eval("branch = true", data));
        Assert.True(Eval("branch IS true", data));
        Assert.False(Eval("branch = TRUE_", data));
        // A string variable "false" is false once cast, so it is neither truthy nor present.
        Assert.False(Eval("branch", Push with { Branch = "False" }));
        Assert.False(Eval("branch IS present", Push with { Branch = "false" }));
    }

    [Theory]
    [InlineData("type IN (push, api)", true)]
    [InlineData("type IN (api, cron)", false)]
    [InlineData("type NOT IN (api, cron)", true)]
    [InlineData("NOT type IN (push)", false)]
    [InlineData("repo IN (env(SLUG), other/repo)", true)]
    [InlineData("fork IN (FALSE)", true)]
    [InlineData("tag IN (a, b)", false)]
    [InlineData("tag IN (a, env(MISSING))", true)]
    [InlineData("branch IN (\"master\")", true)]
    public void In_is_membership_after_evaluating_each_item(string text, bool expected)
    {
        Assert.Equal(expected, Eval(text, Push));
    }

    [Theory]
    [InlineData("v1.0", "tag IS present", true)]
    [InlineData(null, "tag IS present", false)]
    [InlineData("", "tag IS present", false)]
    [InlineData("v1.0", "tag IS blank", false)]
    [InlineData(null, "tag IS blank", true)]
    [InlineData("", "tag IS blank", true)]
    [InlineData(null, "tag IS NOT present", true)]
    [InlineData("v1.0", "tag IS NOT blank", true)]
    [InlineData("v1.0", "tag IS true", true)]
    [InlineData("", "tag IS true", true)]
    [InlineData(null, "tag IS true", false)]
    [InlineData(null, "tag IS false", true)]
    [InlineData("", "tag IS false", false)]
    [InlineData("false", "tag IS false", true)]
    [InlineData("v1.0", "tag IS NOT true", false)]
    public void Predicates(string? tag, string text, bool expected)
    {
        // present = non-empty; true/false = Ruby truthiness, where "" is truthy and only nil/false are not (TC eval.rb).
        Assert.Equal(expected, Eval(text, Push with { Tag = tag }));
    }

    [Fact]
    public void Booleans_are_present_only_when_true()
    {
        // TC eval.rb `present`: a value without empty? is present when truthy, so fork=false is not present.
        Assert.False(Eval("fork IS present", Push));
        Assert.True(Eval("fork IS present", Push with { Fork = true }));
        Assert.True(Eval("fork IS blank", Push with { Fork = null }));
        Assert.True(Eval("draft IS false", Push));
    }

    [Theory]
    [InlineData("fork", false)]
    [InlineData("NOT fork", true)]
    [InlineData("branch", true)]
    [InlineData("tag", false)]
    [InlineData("env(DEPLOY)", true)]
    [InlineData("env(SKIP)", false)]
    [InlineData("env(ZERO)", true)]
    [InlineData("env(EMPTY)", true)]
    [InlineData("env(MISSING)", false)]
    [InlineData("anything", true)]
    [InlineData("false", false)]
    [InlineData("FALSE OR TRUE", true)]
    [InlineData("'false'", false)]
    public void A_bare_operand_is_its_ruby_truthiness(string text, bool expected)
    {
        Assert.Equal(expected, Eval(text, Push));
    }

    [Fact]
    public void Variables_read_the_data()
    {
        var data = new ConditionData
        {
            Type = "pull_request",
            Repo = "octo/app",
            Branch = "main",
            Tag = "v2",
            CommitMessage = "[skip deploy]",
            Sender = "bot",
            Fork = true,
            HeadRepo = "fork/app",
            HeadBranch = "feature",
            Draft = true,
            Os = "osx",
            Dist = "focal",
            Group = "edge",
            Sudo = "required",
            Language = "python",
        };
        var text = "type = pull_request AND repo = octo/app AND branch = main AND tag = v2 AND commit_message = '[skip deploy]'"
            + " AND sender = bot AND fork = true AND head_repo = fork/app AND head_branch = feature AND draft = true"
            + " AND os = osx AND dist = focal AND group = edge AND sudo = required AND language = python";
        Assert.True(Eval(text, data));
        Assert.False(Eval(text, data with { Group = "stable" }));
        Assert.True(Eval("type IS blank AND repo IS blank AND fork IS blank AND language IS blank", new ConditionData()));
    }

    [Theory]
    [InlineData("env(QUOTED) = prod", true)]
    [InlineData("env(SINGLE) = prod", true)]
    [InlineData("env(env(NAME)) = prod", true)]
    [InlineData("env(\"TARGET\") = 'prod'", true)]
    [InlineData("env(target) = prod", false)]
    [InlineData("env() IS blank", true)]
    [InlineData("env(EMPTY) IS blank", true)]
    [InlineData("env(EMPTY) = ''", true)]
    [InlineData("env(MISSING) IS present", false)]
    public void Env_reads_config_and_project_variables(string text, bool expected)
    {
        // TC data.rb: names are case-sensitive; one pair of surrounding quotes is removed.
        Assert.Equal(expected, Eval(text, Push));
    }

    [Theory]
    [InlineData("concat(a, -, b) = a-b", true)]
    [InlineData("concat(\"a b\", ' c') = 'a b c'", true)]
    [InlineData("concat(v, env(MISSING)) = v", true)]
    [InlineData("concat(env(PREFIX), 1) = v1", true)]
    [InlineData("concat() = ''", true)]
    [InlineData("concat(fork) = false", true)]
    [InlineData("concat(tr, ue) = true", true)]
    [InlineData("env(concat(TAR, GET)) = prod", true)]
    [InlineData("tag =~ concat(^, env(PREFIX))", true)]
    public void Concat_joins_the_text_of_its_arguments(string text, bool expected)
    {
        // TC eval.rb `concat`: arg.to_s, so nil is "" and booleans are "true"/"false"; the result is cast again.
        Assert.Equal(expected, Eval(text, Push with { Tag = "v1.2" }));
    }

    [Theory]
    [InlineData("env(A, B) = x", "env() takes one variable name, 2 were given")]
    [InlineData("env(true) = x", "env() needs a variable name, not true")]
    public void A_bad_call_makes_the_condition_false_with_a_problem(string text, string expected)
    {
        var condition = TravisCondition.Parse(text, out _)!;
        Assert.False(condition.Evaluate(Push, out var problem));
        Assert.Equal(expected, problem);
    }

    [Fact]
    public void An_unevaluated_branch_cannot_cause_a_problem()
    {
        // Travis evaluates OR/AND lazily, so the broken call on the right is never reached.
        var condition = TravisCondition.Parse("branch = master OR env(A, B)", out _)!;
        Assert.True(condition.Evaluate(Push, out var problem));
        Assert.Null(problem);
        Assert.False(condition.Evaluate(Push with { Branch = "dev" }, out problem));
        Assert.NotNull(problem);
    }

    [Fact]
    public void A_condition_evaluates_the_same_from_many_threads()
    {
        var condition = TravisCondition.Parse("branch =~ ^rel-\\d+$ AND tag !~ /^v/ OR env(TARGET) IN (prod)", out _)!;
        var results = new bool[2000];
        Parallel.For(0, results.Length, i =>
        {
            var data = Push with { Branch = i % 2 == 0 ? $"rel-{i}" : "dev", Env = new Dictionary<string, string>() };
            results[i] = condition.Evaluate(data, out _);
        });
        Assert.All(Enumerable.Range(0, results.Length), i => Assert.Equal(i % 2 == 0, results[i]));
    }
}
