using Microsoft.Playwright;

namespace Porthole.Web.Tests.Support;

/// <summary>Debian's Chromium, headless, launched by Playwright (never `playwright install`: browsers cannot be downloaded here).</summary>
public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>
    /// Each launch gets a fresh temporary profile (user-data dir) that Playwright makes and deletes on close; each
    /// <see cref="IBrowser.NewContextAsync"/> is then a separate, empty cookie jar, so tests never share a session.
    /// </summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: run scripts/setup as root (it installs Debian's chromium).");
        }

        List<string> args =
        [
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ];
        if (Environment.IsPrivilegedProcess)
        {
            args.Add("--no-sandbox");
        }

        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = args,
            // Playwright adds --no-sandbox itself unless the sandbox is asked for: ask for it except as root.
            ChromiumSandbox = !Environment.IsPrivilegedProcess,
        });
    }
}
