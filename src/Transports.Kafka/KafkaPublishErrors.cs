using Confluent.Kafka;
using Messaging.Publishing;

namespace Messaging.Kafka;

/// <summary>Maps Kafka delivery errors to <see cref="PublishException"/>.</summary>
internal static class KafkaPublishErrors
{
    public static PublishException FromError(Error error, string topic, string messageId, Exception? inner = null) =>
        new(Classify(error.Code), topic, messageId, $"{error.Code}: {error.Reason}", inner);

    public static PublishException NotPersisted(PersistenceStatus status, string topic, string messageId) =>
        new(PublishFailure.NotConfirmed, topic, messageId, $"delivery report says {status}, not Persisted");

    public static PublishException WithoutOffset(string topic, string messageId) =>
        new(PublishFailure.NotConfirmed, topic, messageId,
            "delivery report says Persisted but carries no offset (acknowledged only implicitly by a later request), so the record may not be in the log");

    private static PublishFailure Classify(ErrorCode code) => code switch
    {
        ErrorCode.Local_MsgTimedOut or ErrorCode.Local_TimedOut or ErrorCode.RequestTimedOut => PublishFailure.Timeout,
        ErrorCode.MsgSizeTooLarge or ErrorCode.RecordListTooLarge
            or ErrorCode.InvalidMsg or ErrorCode.InvalidMsgSize or ErrorCode.Local_BadMsg or ErrorCode.TopicException
            or ErrorCode.InvalidRecord => PublishFailure.Invalid,
        _ => PublishFailure.Rejected,
    };
}
