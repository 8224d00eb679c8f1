using System.Diagnostics.CodeAnalysis;

namespace Porthole.Ssh.Keys;

/// <summary>Either a valid <see cref="Key"/> or the <see cref="Problem"/> that refused it; never both.</summary>
public sealed class KeyParseResult
{
    private KeyParseResult(PublicKey? key, KeyProblem? problem)
    {
        Key = key;
        Problem = problem;
    }

    public PublicKey? Key { get; }

    public KeyProblem? Problem { get; }

    [MemberNotNullWhen(true, nameof(Key))]
    [MemberNotNullWhen(false, nameof(Problem))]
    public bool IsValid => Key is not null;

    internal static KeyParseResult Valid(PublicKey key) => new(key, null);

    internal static KeyParseResult Refused(KeyProblemKind kind, string message) => new(null, new KeyProblem(kind, message));
}
