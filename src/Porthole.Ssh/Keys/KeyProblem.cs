namespace Porthole.Ssh.Keys;

/// <summary>Why a text is not an acceptable SSH public key.</summary>
public enum KeyProblemKind
{
    Empty,
    NotAKey,
    NotBase64,
    PrivateKey,
    HasOptions,
    CommentOnly,
    UnsupportedType,
    TypeMismatch,
    MalformedKey,
    RsaTooShort,
    MultipleKeys,
}

/// <summary>
/// A refused key: what is wrong, in one or two sentences a user can act on, and a stable <see cref="Code"/> for the API.
/// </summary>
public sealed record KeyProblem(KeyProblemKind Kind, string Message)
{
    /// <summary>The stable code of the problem, as the API names it (<c>key_rsa_too_short</c>).</summary>
    public string Code => Kind switch
    {
        KeyProblemKind.Empty => "key_empty",
        KeyProblemKind.NotAKey => "key_not_a_key",
        KeyProblemKind.NotBase64 => "key_not_base64",
        KeyProblemKind.PrivateKey => "key_private",
        KeyProblemKind.HasOptions => "key_has_options",
        KeyProblemKind.CommentOnly => "key_comment_only",
        KeyProblemKind.UnsupportedType => "key_unsupported_type",
        KeyProblemKind.TypeMismatch => "key_type_mismatch",
        KeyProblemKind.MalformedKey => "key_malformed",
        KeyProblemKind.RsaTooShort => "key_rsa_too_short",
        KeyProblemKind.MultipleKeys => "key_multiple",
        _ => "key_invalid",
    };

    public override string ToString() => Message;
}
