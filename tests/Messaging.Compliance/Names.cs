namespace Messaging.Compliance;

/// <summary>Unique destination and endpoint names so tests never share broker state.</summary>
public static class Names
{
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
}
