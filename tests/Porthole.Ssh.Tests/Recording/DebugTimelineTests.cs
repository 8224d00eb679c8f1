using System.Text;
using Porthole.Ssh.Recording;

namespace Porthole.Ssh.Tests.Recording;

/// <summary>
/// A debug session's recordings (R-BEY-2) come from what a tmux control-mode client is told: its lines parse into the
/// pane's exact bytes whatever the job printed, and the shared window's time line is cut into one recording per writer,
/// from the screen it found at its attach to its leaving, bounded as an SSH session's recording is.
/// </summary>
public sealed class DebugTimelineTests
{
    private static readonly byte[] Screen = "\u001b[H\u001b[2Jprompt$ "u8.ToArray();

    private static TimeSpan At(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void A_pane_s_output_is_its_bytes_again_control_characters_backslashes_and_utf8_included()
    {
        var line = TmuxControlLine.Parse("%output %3 a\\134b\\015\\012\\033[31mé\\001 \\9x\\12"u8);

        Assert.Equal(TmuxControlKind.Output, line.Kind);
        Assert.Equal("%3", line.Target);
        Assert.Equal("a\\b\r\n\u001b[31mé\u0001 \\9x\\12"u8.ToArray(), line.Data);
    }

    [Theory]
    [InlineData("%layout-change @1 b25f,132x40,0,0,2 b25f,132x40,0,0,2 *", nameof(TmuxControlKind.LayoutChange), "@1")]
    [InlineData("%window-pane-changed @1 %4", nameof(TmuxControlKind.PaneChanged), "%4")]
    [InlineData("%session-window-changed $0 @2", nameof(TmuxControlKind.WindowChanged), "@2")]
    [InlineData("%client-session-changed /dev/pts/7 $0 debug", nameof(TmuxControlKind.ClientAttached), "/dev/pts/7")]
    [InlineData("%client-detached /dev/pts/7", nameof(TmuxControlKind.ClientDetached), "/dev/pts/7")]
    [InlineData("%exit", nameof(TmuxControlKind.Exit), "")]
    public void Notifications_name_what_they_are_about(string text, string kindName, string target)
    {
        var kind = Enum.Parse<TmuxControlKind>(kindName);
        var line = TmuxControlLine.Parse(Encoding.UTF8.GetBytes(text));

        Assert.Equal(kind, line.Kind);
        Assert.Equal(target, line.Target);
        if (kind == TmuxControlKind.LayoutChange)
        {
            Assert.Equal((132, 40), (line.Width, line.Height));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("%output")]
    [InlineData("%output %3")]
    [InlineData("%layout-change @1 nonsense")]
    [InlineData("%layout-change @1 b25f,0x40,0,0,2")]
    [InlineData("%layout-change @1 b25f,99999x40,0,0,2")]
    [InlineData("%begin 1796618205 263 0")]
    [InlineData("hello from a pane, not a notification")]
    [InlineData("%window-pane-changed @1")]
    public void A_line_that_is_not_a_notification_of_use_is_other(string text)
    {
        Assert.Equal(TmuxControlKind.Other, TmuxControlLine.Parse(Encoding.UTF8.GetBytes(text)).Kind);
    }

    [Fact]
    public void Each_writer_gets_the_screen_it_found_then_the_window_until_it_left()
    {
        var timeline = new DebugTimeline();
        timeline.Resize(At(0), 120, 30);
        timeline.Attached(At(1), "/dev/pts/1", 101, Screen);
        timeline.Output(At(2), "first"u8.ToArray());
        timeline.Attached(At(3), "/dev/pts/2", 102, "screen-at-3"u8.ToArray());
        timeline.Resize(At(4), 100, 20);
        timeline.Output(At(5), "second"u8.ToArray());
        timeline.Detached(At(6), "/dev/pts/2");
        timeline.Detached(At(6.5), "/dev/pts/9");
        timeline.Output(At(7), "third"u8.ToArray());
        timeline.End(At(8));

        var slices = timeline.Slices();

        Assert.Equal([101, 102], slices.Select(s => s.ProcessId));
        var first = slices[0];
        Assert.Equal((At(1), At(8)), (first.Attached, first.Detached));
        Assert.Equal((120, 30), (first.Header.Width, first.Header.Height));
        Assert.Equal(
            [new CastEvent(0, 'o', Encoding.UTF8.GetString(Screen)), new(1, 'o', "first"), new(3, 'r', "100x20"), new(4, 'o', "second"), new(6, 'o', "third")],
            first.Events);
        var second = slices[1];
        Assert.Equal((At(3), At(6)), (second.Attached, second.Detached));
        Assert.Equal([new CastEvent(0, 'o', "screen-at-3"), new(1, 'r', "100x20"), new(2, 'o', "second")], second.Events);
        Assert.All(slices, s => Assert.False(s.Truncated));
    }

    [Fact]
    public void A_character_cut_between_two_outputs_is_whole_and_binary_noise_is_a_replacement_character()
    {
        var timeline = new DebugTimeline();
        timeline.Attached(At(0), "c", 1, []);
        var euro = "€"u8.ToArray();
        timeline.Output(At(1), [.. "a"u8, euro[0]]);
        timeline.Output(At(2), [euro[1], euro[2], 0xff, (byte)'z']);
        timeline.End(At(3));

        var events = Assert.Single(timeline.Slices()).Events;

        Assert.Equal("a€\ufffdz", string.Concat(events.Select(e => e.Text)));
    }

    [Fact]
    public void A_window_that_wrote_past_the_cap_stops_there_and_the_writers_who_saw_it_are_told()
    {
        var timeline = new DebugTimeline();
        timeline.Attached(At(0), "early", 1, []);
        var chunk = new byte[1 << 20];
        for (var n = 0; n < (AsciicastWriter.MaxSessionBytes >> 20) + 2; n++)
        {
            timeline.Output(At(n), chunk);
        }

        timeline.Detached(At(100), "early");
        timeline.Attached(At(101), "late", 2, []);
        timeline.Output(At(102), "after"u8.ToArray());
        timeline.End(At(103));

        var slices = timeline.Slices();

        Assert.True(slices[0].Truncated);
        Assert.True(slices[0].Events.Sum(e => e.Text.Length) <= AsciicastWriter.MaxSessionBytes);
        Assert.True(slices[1].Truncated);
        Assert.DoesNotContain(slices[1].Events, e => e.Text.Contains("after", StringComparison.Ordinal));
    }

    [Fact]
    public void The_same_client_attached_twice_is_one_writer_and_a_session_keeps_at_most_its_cap_of_writers()
    {
        var timeline = new DebugTimeline();
        timeline.Attached(At(0), "c", 1, []);
        timeline.Attached(At(1), "c", 1, []);
        for (var n = 0; n < DebugTimeline.MaxParticipants + 5; n++)
        {
            timeline.Attached(At(2), $"other-{n}", 10 + n, []);
        }

        timeline.End(At(3));

        Assert.Equal(DebugTimeline.MaxParticipants, timeline.Slices().Count);
        Assert.Equal(At(0), timeline.Slices()[0].Attached);
    }
}
