namespace Porthole.Server.Accounts;

/// <summary>Project roles (R-AC-2), weakest first.</summary>
public static class Roles
{
    public const string Read = "read";
    public const string Write = "write";
    public const string Admin = "admin";

    public static bool IsValid(string role) => role is Read or Write or Admin;

    public static int Rank(string? role) => role switch
    {
        Read => 1,
        Write => 2,
        Admin => 3,
        _ => 0,
    };
}
