using Porthole.Pipeline.Travis.Languages;

namespace Porthole.Pipeline.Tests.Travis.Languages;

/// <summary>A job of one language in a <see cref="FakeToolCheckout"/>, with its default phases run there.</summary>
internal static class LanguageJob
{
    public static (FakeToolCheckout Checkout, TravisLanguage Language, TravisJobSettings Settings) Job(string language, params string[] lines) =>
        (new FakeToolCheckout(), TravisLanguageCatalog.Find(language, out _), TravisJobSettingsTests.Read(language, lines));

    public static (int ExitCode, string Output) Install(FakeToolCheckout checkout, TravisLanguage language, TravisJobSettings settings) =>
        checkout.Run("install", TravisDefaultPhases.Install(language, settings));

    public static (int ExitCode, string Output) Script(FakeToolCheckout checkout, TravisLanguage language, TravisJobSettings settings) =>
        checkout.Run("script", TravisDefaultPhases.Script(language, settings));
}
