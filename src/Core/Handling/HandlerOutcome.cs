namespace Messaging.Handling;

/// <summary>The result of one successful handler execution.</summary>
public enum HandlerOutcome
{
    /// <summary>The handler ran and its work committed.</summary>
    Handled,
    /// <summary>The inbox had already recorded this message for this handler; it was not run again.</summary>
    SkippedDuplicate,
}
