using CodeMentor.Web;

var builder = WebApplication.CreateBuilder(args);
builder.AddCodeMentor();

var app = builder.Build();
if (await app.RunCommandAsync(args))
{
    return;
}
app.MapCodeMentor();
app.Run();

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
