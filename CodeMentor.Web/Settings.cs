namespace CodeMentor.Web;

internal static class Settings
{
    /// <summary>Exit code for settings that cannot be used (EX_CONFIG in sysexits.h).</summary>
    public const int InvalidSettingsExitCode = 78;

    /// <summary>Says, one line each, what to fix, and ends the process without a stack trace.</summary>
    public static int Refuse(IEnumerable<string> problems)
    {
        Console.Error.WriteLine("CodeMentor cannot start because of its settings:");
        foreach (var problem in problems)
        {
            Console.Error.WriteLine("  " + problem);
        }
        return InvalidSettingsExitCode;
    }

    /// <summary>EX_UNAVAILABLE: the settings are usable but the database is not there (yet).</summary>
    public const int DatabaseUnavailableExitCode = 69;

    public static int DatabaseUnavailable(string problem)
    {
        Console.Error.WriteLine("CodeMentor cannot start: " + problem);
        return DatabaseUnavailableExitCode;
    }
}
