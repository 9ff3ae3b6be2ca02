using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace Messaging.Operations.Tests.Infrastructure;

/// <summary>Debian's headless Chromium driven through its ChromeDriver (eng/chromium.sh installs both; nothing is
/// downloaded at test time), signed in by the cookies <see cref="HeaderSignIn"/> reads.</summary>
public static class Chromium
{
    public const string Binary = "/usr/bin/chromium";
    public const string Driver = "/usr/bin/chromedriver";

    public static bool Installed => File.Exists(Binary) && File.Exists(Driver);

    public static string Missing => $"needs Debian's chromium and chromium-driver ({Binary}, {Driver}): bash eng/chromium.sh";

    /// <summary>MESSAGING_DASHBOARD_SCREENSHOTS (docs/dashboard holds the README's), else a temporary folder.</summary>
    public static string ScreenshotFolder()
    {
        var folder = Environment.GetEnvironmentVariable("MESSAGING_DASHBOARD_SCREENSHOTS") is { Length: > 0 } dir
            ? dir : Path.Combine(Path.GetTempPath(), "messaging-ops-dashboard-shots");
        Directory.CreateDirectory(folder);
        return folder;
    }

    public static ChromeDriver Start()
    {
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Driver)!, Path.GetFileName(Driver));
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = Binary };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1500");
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    /// <summary>Signs in as <paramref name="user"/> with <paramref name="roles"/> (none: a user without a role) on the
    /// site's own page that needs no sign-in, replacing whoever was signed in before.</summary>
    public static void SignIn(IWebDriver browser, Uri site, string user, params string[] roles)
    {
        browser.Navigate().GoToUrl(site);
        browser.Manage().Cookies.DeleteAllCookies();
        browser.Manage().Cookies.AddCookie(new Cookie("X-User", user, "/"));
        if (roles.Length > 0) browser.Manage().Cookies.AddCookie(new Cookie("X-Roles", string.Join(',', roles), "/"));
    }

    /// <summary>Clicks a link or a submit button and waits until the page it leads to has replaced this one and loaded (a
    /// click returns before a form's POST has answered).</summary>
    public static void Follow(IWebDriver browser, IWebElement element)
    {
        element.Click();
        new WebDriverWait(browser, TimeSpan.FromSeconds(30)).Until(_ => IsStale(element)
            && Equals(((IJavaScriptExecutor)browser).ExecuteScript("return document.readyState"), "complete"));
    }

    private static bool IsStale(IWebElement element)
    {
        try
        {
            _ = element.Enabled;
            return false;
        }
        catch (StaleElementReferenceException)
        {
            return true;
        }
    }

    /// <summary>The text of the page's <c>main</c> element.</summary>
    public static string MainText(IWebDriver browser) => browser.FindElement(By.TagName("main")).Text;

    public static void Shot(ChromeDriver browser, string folder, string name) =>
        browser.GetScreenshot().SaveAsFile(Path.Combine(folder, name + ".png"));
}
