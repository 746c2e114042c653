using MudBlazor;

namespace CodeMentor.Web.Components.Layout;

internal static class CodeMentorTheme
{
    public static readonly MudTheme Theme = new()
    {
        // Text and filled buttons at WCAG AA (4.5:1) or better: a darker red than the default, darker secondary text.
        PaletteLight = new PaletteLight
        {
            Primary = "#3949ab", Secondary = "#00796b", AppbarBackground = "#283593", Error = "#c62828", Warning = "#b45309",
            Success = "#1b5e20", // MudBlazor's #00c853 is below 4.5:1 as alert text on its own tint (axe, the courses page)
            TextSecondary = "rgba(0,0,0,0.68)",
        },
        // Light primary on the dark background, with dark text on filled buttons: both above 4.5:1.
        PaletteDark = new PaletteDark
        {
            Primary = "#aab4ff", PrimaryContrastText = "#14162b", Secondary = "#80cbc4", SecondaryContrastText = "#0f2a27",
            AppbarBackground = "#1f2030", Error = "#ff8a80", ErrorContrastText = "#2b0b0b", TextSecondary = "rgba(255,255,255,0.74)",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"] },
        },
    };
}
