namespace CodeMentor.Web.Components.Layout;

public enum ThemePreference { System, Light, Dark }

public static class ThemePreferences
{
    public static ThemePreference Parse(string? stored) => stored switch
    {
        "light" => ThemePreference.Light,
        "dark" => ThemePreference.Dark,
        _ => ThemePreference.System,
    };

    public static string Format(ThemePreference preference) => preference.ToString().ToLowerInvariant();
}
