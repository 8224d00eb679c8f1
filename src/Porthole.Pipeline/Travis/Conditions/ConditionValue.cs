namespace Porthole.Pipeline.Travis.Conditions;

/// <summary>
/// What a part of a condition evaluates to, with Ruby's meaning (TC <c>eval.rb</c>): absent (nil), a boolean or a
/// string. Every value passes through Travis's cast, so the strings "true"/"false" (any case) become booleans.
/// </summary>
internal readonly struct ConditionValue : IEquatable<ConditionValue>
{
    private readonly string? _text;
    private readonly bool? _flag;

    private ConditionValue(string? text, bool? flag)
    {
        _text = text;
        _flag = flag;
    }

    public static ConditionValue Absent => default;

    public bool IsAbsent => _text is null && _flag is null;

    /// <summary>Ruby truthiness: only nil and false are false (an empty string is true).</summary>
    public bool IsTruthy => _flag ?? _text is not null;

    /// <summary>Travis's <c>present</c>: a non-empty string, or true.</summary>
    public bool IsPresent => _flag ?? !string.IsNullOrEmpty(_text);

    public static ConditionValue Of(bool flag) => new(null, flag);

    /// <summary>A string after Travis's cast.</summary>
    public static ConditionValue Of(string? text)
    {
        if (string.Equals(text, "true", StringComparison.OrdinalIgnoreCase))
        {
            return new ConditionValue(null, true);
        }

        if (string.Equals(text, "false", StringComparison.OrdinalIgnoreCase))
        {
            return new ConditionValue(null, false);
        }

        return new ConditionValue(text, null);
    }

    /// <summary>Ruby's <c>to_s</c>: nil is "", booleans are "true"/"false".</summary>
    public string ToText() => _flag switch
    {
        true => "true",
        false => "false",
        null => _text ?? "",
    };

    /// <summary>The string when there is one (not a boolean, not absent).</summary>
    public string? Text => _text;

    public bool Equals(ConditionValue other) => _flag == other._flag && string.Equals(_text, other._text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is ConditionValue other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_text, _flag);

    public static bool operator ==(ConditionValue left, ConditionValue right) => left.Equals(right);

    public static bool operator !=(ConditionValue left, ConditionValue right) => !left.Equals(right);

    public override string ToString() => IsAbsent ? "nil" : _flag is { } flag ? (flag ? "true" : "false") : $"'{_text}'";
}
