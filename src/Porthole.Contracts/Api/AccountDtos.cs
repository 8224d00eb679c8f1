namespace Porthole.Contracts.Api;

// Wire shapes of accounts: personal tokens, the users list, project members (R-AC-*). JSON is snake_case (ApiJson).

/// <summary>One of the signed-in user's personal tokens, never with its secret. <see cref="Current"/>: the token of this request.</summary>
public sealed record TokenView(long Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, bool Current);

public sealed record CreateTokenRequest(string? Name);

/// <summary>A new token: <see cref="Token"/> is its secret, in this answer and nowhere else, ever.</summary>
public sealed record CreatedToken(long Id, string Name, DateTimeOffset CreatedAt, string Token);

/// <summary>The answer to revoking the token the request itself was signed in with; <see cref="Detail"/> says what that means.</summary>
public sealed record RevokedToken(long Id, string Name, bool WasCurrent, int Remaining, string Detail);

/// <summary>A user as an administrator's list shows it.</summary>
public sealed record UserSummary(long Id, string Name, bool IsAdmin, DateTimeOffset CreatedAt);

/// <summary>A project member and their role (<c>read</c>, <c>write</c> or <c>admin</c>).</summary>
public sealed record MemberView(string User, string Role);
