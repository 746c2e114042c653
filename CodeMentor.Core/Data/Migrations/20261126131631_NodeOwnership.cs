using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CodeMentor.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class NodeOwnership : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Node",
                table: "Messages",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Node",
                table: "InFlightCalls",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Messages_Streaming_Node",
                table: "Messages",
                column: "Node",
                filter: "\"Status\" = 'Streaming'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Messages_Streaming_Node",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "Node",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "Node",
                table: "InFlightCalls");
        }
    }
}
