using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Porthole.Server.Data.Migrations
{
    /// <inheritdoc />
    public partial class Debug : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "Debug",
                table: "Attempts",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "Quiet",
                table: "Attempts",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Debug",
                table: "Attempts");

            migrationBuilder.DropColumn(
                name: "Quiet",
                table: "Attempts");
        }
    }
}
