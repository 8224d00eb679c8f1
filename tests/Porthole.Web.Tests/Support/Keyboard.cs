using Microsoft.Playwright;

namespace Porthole.Web.Tests.Support;

/// <summary>Moving through a page as a keyboard user does: Tab until the element has the focus.</summary>
public static class Keyboard
{
    public static async Task TabToAsync(IPage page, ILocator target, int maxPresses = 60)
    {
        for (var i = 0; i < maxPresses; i++)
        {
            if (await target.EvaluateAsync<bool>("e => e === document.activeElement"))
            {
                return;
            }

            await page.Keyboard.PressAsync("Tab");
        }

        Assert.Fail($"{maxPresses} presses of Tab did not reach {target}.");
    }
}
