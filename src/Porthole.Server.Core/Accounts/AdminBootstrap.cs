using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Porthole.Data;

namespace Porthole.Server.Accounts;

/// <summary>On first start, creates the admin user and writes its token to <c>DATA/admin-token</c> (mode 600). The token is never logged.</summary>
public sealed partial class AdminBootstrap(IDbContextFactory<PortholeDb> dbFactory, TimeProvider time, ILogger<AdminBootstrap> logger)
{
    public const string TokenFileName = "admin-token";

    public async Task EnsureAdminAsync(string dataDirectory, CancellationToken ct)
    {
        var tokenFile = Path.GetFullPath(Path.Combine(dataDirectory, TokenFileName));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.Users.AnyAsync(u => u.IsAdmin, ct))
        {
            LogExisting(logger, tokenFile);
            return;
        }

        var token = Tokens.Generate();
        var admin = new User { Name = "admin", IsAdmin = true, CreatedAt = time.GetUtcNow() };
        db.Users.Add(admin);
        await db.SaveChangesAsync(ct);
        db.Tokens.Add(new ApiToken { UserId = admin.Id, Hash = Tokens.Hash(token), Name = "admin", CreatedAt = time.GetUtcNow() });
        await db.SaveChangesAsync(ct);

        // Written whole under another name, then renamed: a reader never sees an empty or half-written file.
        var partial = tokenFile + ".partial";
        File.Delete(partial);
        await using (var stream = new FileStream(partial, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        await using (var writer = new StreamWriter(stream))
        {
            await writer.WriteLineAsync(token);
        }

        File.Move(partial, tokenFile, overwrite: true);
        LogCreated(logger, tokenFile);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the admin user; its token is in {TokenFile} (mode 600)")]
    private static partial void LogCreated(ILogger logger, string tokenFile);

    [LoggerMessage(Level = LogLevel.Information, Message = "The admin user's token was written to {TokenFile} on first start")]
    private static partial void LogExisting(ILogger logger, string tokenFile);
}
