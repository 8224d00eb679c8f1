using Porthole.Contracts.Runners;
using Porthole.Execution.Executors;
using Porthole.Execution.Sections;

namespace Porthole.Execution.Tests.Support;

/// <summary>A section whose body the test writes; it keeps the context it was given and tells when it started.</summary>
internal sealed class TestSection(string name, Func<NodeSectionContext, CancellationToken, Task<NodeSectionResult>> body) : INodeSection
{
    private readonly TaskCompletionSource<NodeSectionContext> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name { get; } = name;

    public NodeSectionContext? Context { get; private set; }

    public Task<NodeSectionContext> Started => _started.Task;

    public static TestSection Writing(string name, string text, StepState state = StepState.Success, bool skipSteps = false) =>
        new(name, async (context, _) =>
        {
            await context.WriteAsync(text);
            return new NodeSectionResult(state, skipSteps);
        });

    public static TestSection Waiting(string name) =>
        new(name, async (context, canceled) =>
        {
            await context.WriteAsync("waiting\n");
            await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, canceled);
            return new NodeSectionResult(StepState.Success);
        });

    public async Task<NodeSectionResult> RunAsync(NodeSectionContext context, CancellationToken canceled)
    {
        Context = context;
        _started.TrySetResult(context);
        return await body(context, canceled);
    }
}

/// <summary>Collects what a long-lived process prints, as a section parsing an sshd's lines would.</summary>
internal sealed class CollectingOutput : IStepOutput
{
    private readonly Lock _gate = new();
    private readonly System.Text.StringBuilder _text = new();

    public string Text
    {
        get
        {
            lock (_gate)
            {
                return _text.ToString();
            }
        }
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _text.Append(System.Text.Encoding.UTF8.GetString(chunk.Span));
        }

        return ValueTask.CompletedTask;
    }
}
