namespace Messaging.Testing;

/// <summary>Unique destination and endpoint names so tests never share broker state.</summary>
public static class Names
{
    /// <summary><paramref name="prefix"/>, a dash and 12 hex digits of a new GUID: e.g. <c>dest-3f2a9c01b7de</c>.</summary>
    /// <param name="prefix">Start of the name; the result is 13 characters longer.</param>
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
}
