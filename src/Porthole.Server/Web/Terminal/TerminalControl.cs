using System.Text.Json;

namespace Porthole.Server.Web.Terminal;

/// <summary>
/// The browser's control messages, sent as WebSocket text frames (terminal bytes go as binary frames):
/// <c>{"type":"resize","cols":C,"rows":R}</c>. Anything else is ignored.
/// </summary>
public static class TerminalControl
{
    /// <summary>The largest control message taken; a longer one is dropped.</summary>
    public const int MaximumLength = 4096;

    /// <summary>The size a resize message asks for, or null when the message is not one.</summary>
    public static TerminalSize? ResizeOf(ReadOnlyMemory<byte> message)
    {
        try
        {
            using var document = JsonDocument.Parse(message);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "resize"
                && root.TryGetProperty("cols", out var cols) && cols.TryGetInt32(out var columns)
                && root.TryGetProperty("rows", out var rowsElement) && rowsElement.TryGetInt32(out var rows)
                    ? TerminalSize.Clamped(columns, rows)
                    : null;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            // A number of the wrong kind (cols: "80").
            return null;
        }
    }
}
