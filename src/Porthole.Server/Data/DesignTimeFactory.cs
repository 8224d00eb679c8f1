using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Porthole.Server.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the server.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<PortholeDb>
{
    public PortholeDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PortholeDb>().UseSqlite("Data Source=design-time.db").Options);
}
