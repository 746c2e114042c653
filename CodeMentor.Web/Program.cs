using CodeMentor.Core.Configuration;
using CodeMentor.Web;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);
WebApplication app;
try
{
    builder.AddCodeMentor();
    app = builder.Build();
}
catch (InvalidSettingsException ex)
{
    return Settings.Refuse(ex.Problems);
}
if (await app.RunCommandAsync(args))
{
    return 0;
}
app.MapCodeMentor();
try
{
    await app.StartAsync();
}
catch (OptionsValidationException ex)
{
    return Settings.Refuse(ex.Failures);
}
catch (CodeMentor.Core.Data.DatabaseUnavailableException ex)
{
    return Settings.DatabaseUnavailable(ex.Message);
}
await app.WaitForShutdownAsync();
return 0;

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
