using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Porthole.Data.Sqlite;

/// <summary>Lets <c>dotnet ef migrations add --project src/Porthole.Data.Sqlite</c> build the SQLite model without a server.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<PortholeDb>
{
    public PortholeDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PortholeDb>().UsePortholeSqlite("design-time.db").Options);
}
