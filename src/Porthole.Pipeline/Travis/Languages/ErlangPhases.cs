using static Porthole.Pipeline.Travis.Languages.LanguageBash;

namespace Porthole.Pipeline.Travis.Languages;

/// <summary>
/// Erlang's and Elixir's setup and default phases (TB <c>script/erlang.rb</c>, <c>elixir.rb</c>): rebar or rebar3 when
/// there is a rebar.config, else <c>make test</c>; for Elixir, hex and rebar, <c>mix deps.get</c> and <c>mix test</c>,
/// with the OTP release an Elixir version requires.
/// </summary>
internal static class ErlangPhases
{
    private const string RebarConfigured = "[[ -f rebar.config || -f Rebar.config ]]";

    public static IReadOnlyList<string> Setup(string otpRelease) =>
        [Choose(($"[ -f \"$HOME\"/otp/{ShellQuote.Single(otpRelease)}/activate ]", Run($"source ~/otp/{otpRelease}/activate", $"source \"$HOME\"/otp/{ShellQuote.Single(otpRelease)}/activate")))];

    public static IReadOnlyList<string> Install(TravisJobSettings settings) =>
    [
        Choose(
            ($"{RebarConfigured} && [ -f ./rebar ]", Run("./rebar get-deps", retry: true)),
            (RebarConfigured, Choose(("[ -z \"$(command -v rebar3)\" ]", Run("rebar get-deps", retry: true))))),
    ];

    public static IReadOnlyList<string> Script(TravisJobSettings settings) =>
    [
        Choose(
            ($"{RebarConfigured} && [ -f ./rebar ]", Run("./rebar compile && ./rebar skip_deps=true eunit")),
            (RebarConfigured, Choose(("[ -n \"$(command -v rebar3)\" ]", Run("rebar3 eunit")), (null, Run("rebar compile && rebar skip_deps=true eunit")))),
            (null, Run("make test"))),
    ];

    public static IReadOnlyList<string> ElixirSetup(TravisJobSettings settings)
    {
        var elixir = settings.Version ?? "1.0.2";
        var otp = settings.OtpRelease ?? "17.4";
        var items = new List<string>();
        if (!OtpSatisfies(elixir, otp))
        {
            var required = RequiredOtp(elixir);
            items.Add($"printf '\\033[33;1m%s\\033[0m\\n' {ShellQuote.Single($"Erlang/OTP Release {otp} is not supported by Elixir {elixir}. Using OTP Release {required}.")}");
            otp = required;
        }

        items.AddRange(Setup(otp));
        items.Add(Announce("elixir --version"));
        return items;
    }

    public static IReadOnlyList<string> ElixirInstall(TravisJobSettings settings)
    {
        var items = new List<string>();
        if (AtLeast(settings.Version ?? "1.0.2", 1, 3))
        {
            items.Add(Run("mix local.rebar --force"));
        }

        items.Add(Run("mix local.hex --force"));
        items.Add(Run("mix deps.get"));
        return items;
    }

    public static IReadOnlyList<string> ElixirScript(TravisJobSettings settings) => [Run("mix test")];

    /// <summary>TB <c>elixir.rb#otp_release_requirement_satisfied?</c>; a version that is not numbers is not satisfied (TB's rescue).</summary>
    public static bool OtpSatisfies(string elixir, string otp)
    {
        if (Numbers(elixir) is null || Numbers(otp) is null)
        {
            return false;
        }

        var elixir10 = AtLeast(elixir, 1, 0) && !AtLeast(elixir, 1, 1);
        return !(elixir10 && AtLeast(otp, 18, 0)) && !(AtLeast(elixir, 1, 2) && !AtLeast(otp, 18, 0)) && !(AtLeast(elixir, 1, 6) && !AtLeast(otp, 19, 0));
    }

    private static string RequiredOtp(string elixir) =>
        AtLeast(elixir, 1, 8) ? "20.0" : AtLeast(elixir, 1, 6) ? "19.0" : AtLeast(elixir, 1, 2) ? "18.0" : "17.4";

    /// <summary>Whether a dotted version is at least <paramref name="major"/>.<paramref name="minor"/>.</summary>
    private static bool AtLeast(string version, int major, int minor) =>
        Numbers(version) is { } numbers && (numbers[0] > major || (numbers[0] == major && (numbers.Count > 1 ? numbers[1] : 0) >= minor));

    /// <summary>The leading numbers of a dotted version (<c>1.6.5</c> → 1, 6, 5); null when it does not start with one.</summary>
    private static List<int>? Numbers(string version)
    {
        var numbers = new List<int>();
        foreach (var part in version.Split('.'))
        {
            if (part.Length == 0 || part.Length > 9 || !part.All(char.IsAsciiDigit))
            {
                break;
            }

            numbers.Add(int.Parse(part, System.Globalization.CultureInfo.InvariantCulture));
        }

        return numbers.Count == 0 ? null : numbers;
    }
}
