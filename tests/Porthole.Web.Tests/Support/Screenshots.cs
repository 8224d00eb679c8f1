using Microsoft.Playwright;

namespace Porthole.Web.Tests.Support;

/// <summary>
/// Screenshots of the pages, kept as test artifacts: in $PORTHOLE_SCREENSHOTS when set, else in the test output
/// folder (bin/…/screenshots), never among the repository's tracked files.
/// </summary>
public static class Screenshots
{
    public static string Folder { get; } = Environment.GetEnvironmentVariable("PORTHOLE_SCREENSHOTS") is { Length: > 0 } folder
        ? Path.GetFullPath(folder)
        : Path.Combine(AppContext.BaseDirectory, "screenshots");

    /// <summary>Saves the whole page as NAME.png, and NAME-narrow.png at a phone's width when <paramref name="narrowToo"/>.</summary>
    public static async Task<string> SaveAsync(IPage page, string name, bool narrowToo = false)
    {
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        if (narrowToo)
        {
            var size = page.ViewportSize;
            await page.SetViewportSizeAsync(375, 740);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Folder, name + "-narrow.png"), FullPage = true });
            if (size is not null)
            {
                await page.SetViewportSizeAsync(size.Width, size.Height);
            }
        }

        return path;
    }
}
