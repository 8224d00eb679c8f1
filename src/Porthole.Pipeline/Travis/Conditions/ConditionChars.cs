namespace Porthole.Pipeline.Travis.Conditions;

/// <summary>
/// The character classes of Travis's condition grammar (§B11), which are Ruby's: whitespace is Ruby's ASCII
/// <c>\s</c>, an unquoted word is <c>[^\s()"',=!]+</c>, and a variable name must be followed by a boundary.
/// </summary>
internal static class ConditionChars
{
    public static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    public static bool IsWord(char c) => !IsSpace(c) && c is not ('(' or ')' or '"' or '\'' or ',' or '=' or '!');

    /// <summary>What may follow a variable name: whitespace, <c>,</c>, <c>=</c>, <c>)</c> or <c>|</c> (TC <c>Parser::BOUND</c>).</summary>
    public static bool IsVariableBoundary(char c) => IsSpace(c) || c is ',' or '=' or ')' or '|';
}
