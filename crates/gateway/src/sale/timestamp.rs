//! [`Timestamp`]: a moment of a sale (the perform's arrival, the order's start), kept as 8 bytes of
//! milliseconds since the Unix epoch and written as the spec's `yyyy-MM-dd HH:mm:ss.SSS+0000` (spec A23) only
//! when a status answer or a persisted record needs the text. A retained sale used to keep two such strings.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::FormatItem;
use time::macros::format_description;
use time::{Duration, OffsetDateTime};

/// The spec's timestamp text, in UTC: `2024-05-17 14:03:22.481+0000`.
const FORMAT: &[FormatItem<'static>] = format_description!(
    "[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:3][offset_hour sign:mandatory][offset_minute]"
);

/// Milliseconds since the Unix epoch, UTC; orders as time does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Timestamp(i64);

impl Timestamp {
    /// Now, to the millisecond.
    pub(crate) fn now() -> Self {
        Self::of(OffsetDateTime::now_utc())
    }

    fn of(moment: OffsetDateTime) -> Self {
        let millis = moment.unix_timestamp_nanos() / 1_000_000;
        Self(i64::try_from(millis).unwrap_or(i64::MAX))
    }

    /// As the spec writes it, e.g. `2024-05-17 14:03:22.481+0000`.
    pub(crate) fn text(self) -> String {
        let moment = OffsetDateTime::UNIX_EPOCH.saturating_add(Duration::milliseconds(self.0));
        moment.format(FORMAT).unwrap_or_default()
    }

    /// Reads the spec's text back; `None` when it is not one.
    fn parse(text: &str) -> Option<Self> {
        OffsetDateTime::parse(text, FORMAT).ok().map(Self::of)
    }
}

/// Persisted as the text, as the records written before it held: old and new data directories read alike.
impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "not a timestamp `yyyy-MM-dd HH:mm:ss.SSS+0000`: {text}"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_reads_back_to_the_same_millisecond() {
        let text = "2024-05-17 14:03:22.481+0000";
        let stamp = Timestamp::parse(text).unwrap();
        assert_eq!(stamp.text(), text);
        let json = serde_json::to_string(&stamp).unwrap();
        assert_eq!(json, format!("\"{text}\""));
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), stamp);
    }

    #[test]
    fn now_is_written_as_the_spec_says() {
        let text = Timestamp::now().text();
        assert_eq!(text.len(), "2024-05-17 14:03:22.481+0000".len(), "{text}");
        assert!(text.ends_with("+0000"), "{text}");
        assert!(serde_json::from_str::<Timestamp>("\"yesterday\"").is_err());
    }

    #[test]
    fn later_sorts_after_earlier() {
        let earlier = Timestamp::parse("2024-05-17 14:03:22.481+0000").unwrap();
        let later = Timestamp::parse("2024-05-17 14:03:22.482+0000").unwrap();
        assert!(earlier < later);
    }
}
