namespace Porthole.Server.Api;

/// <summary>What a message may quote of a text someone sent: at most 80 characters, then an ellipsis.</summary>
public static class MessageText
{
    public static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
