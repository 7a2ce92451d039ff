//! Capacity tiers of the UK Terrorism (Protection of Premises) Act 2025 ("Martyn's Law"): a
//! classification shown beside risk, never mixed into it (mission-anchors.md §2.3, §5.7).

use serde::{Deserialize, Serialize};

/// Lowest number of people reasonably expected at once that puts premises in scope (s. 2).
pub const STANDARD_DUTY_MIN_PEOPLE: u32 = 200;
/// Lowest number that makes premises enhanced duty premises (s. 3), and the attendance that
/// makes an event a qualifying public event (s. 4).
pub const ENHANCED_DUTY_MIN_PEOPLE: u32 = 800;

/// The duty that applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DutyTier {
    /// The Act does not apply.
    OutOfScope,
    /// Standard duty premises: 200-799 people; public protection procedures.
    Standard,
    /// Enhanced duty premises (800+) or a qualifying public event: procedures and measures, a
    /// designated senior individual, documentation.
    Enhanced,
}

/// What decides the tier of premises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PremisesFacts {
    /// Whether the premises are a building (or buildings and land) wholly or mainly used for a
    /// Schedule 1 use (retail, food and drink, entertainment, places of worship, transport
    /// hubs, ...). An open square or street is not, unless it hosts a qualifying event.
    pub schedule_1_use: bool,
    /// The most people it is reasonable to expect present at the same time.
    pub people_reasonably_expected: u32,
}

/// The tier of premises: 200-799 standard, 800 and more enhanced (ss. 2-3).
///
/// ```
/// use risk::*;
/// let hall = PremisesFacts { schedule_1_use: true, people_reasonably_expected: 250 };
/// assert_eq!(premises_tier(&hall), DutyTier::Standard);
/// ```
pub fn premises_tier(facts: &PremisesFacts) -> DutyTier {
    if !facts.schedule_1_use || facts.people_reasonably_expected < STANDARD_DUTY_MIN_PEOPLE {
        DutyTier::OutOfScope
    } else if facts.people_reasonably_expected < ENHANCED_DUTY_MIN_PEOPLE {
        DutyTier::Standard
    } else {
        DutyTier::Enhanced
    }
}

/// What decides whether an event is a qualifying public event (s. 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFacts {
    /// The most people it is reasonable to expect present at the same time.
    pub people_reasonably_expected: u32,
    /// Whether members of the public have access.
    pub open_to_public: bool,
    /// Whether entry is checked (tickets, payment, bag or wristband checks).
    pub entry_checks: bool,
    /// Whether the event is held at enhanced duty premises (which already carry the duty).
    pub at_enhanced_duty_premises: bool,
}

/// The reasons an event is not a qualifying public event; empty when it is one.
pub fn event_non_qualifying_reasons(facts: &EventFacts) -> Vec<&'static str> {
    let mut reasons = Vec::new();
    if facts.people_reasonably_expected < ENHANCED_DUTY_MIN_PEOPLE {
        reasons.push("fewer than 800 people expected at the same time");
    }
    if !facts.open_to_public {
        reasons.push("not open to the public");
    }
    if !facts.entry_checks {
        reasons.push("no checks on entry");
    }
    if facts.at_enhanced_duty_premises {
        reasons.push("held at enhanced duty premises, which carry the duty themselves");
    }
    reasons
}

/// The tier of an event: enhanced if it is a qualifying public event (800+ at once, open to the
/// public, entry checked, not at enhanced duty premises), otherwise out of scope as an event.
pub fn event_tier(facts: &EventFacts) -> DutyTier {
    if event_non_qualifying_reasons(facts).is_empty() {
        DutyTier::Enhanced
    } else {
        DutyTier::OutOfScope
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn premises_boundaries_follow_the_act() {
        // Terrorism (Protection of Premises) Act 2025 ss. 2-3: 200 or more in scope, 800 or
        // more enhanced (gov.uk standard- and enhanced-duty factsheets).
        let tier = |people| {
            premises_tier(&PremisesFacts {
                schedule_1_use: true,
                people_reasonably_expected: people,
            })
        };
        assert_eq!(tier(199), DutyTier::OutOfScope);
        assert_eq!(tier(200), DutyTier::Standard);
        assert_eq!(tier(799), DutyTier::Standard);
        assert_eq!(tier(800), DutyTier::Enhanced);
        let square = PremisesFacts {
            schedule_1_use: false,
            people_reasonably_expected: 5000,
        };
        assert_eq!(premises_tier(&square), DutyTier::OutOfScope);
    }

    #[test]
    fn qualifying_events_need_every_condition() {
        let market = EventFacts {
            people_reasonably_expected: 800,
            open_to_public: true,
            entry_checks: true,
            at_enhanced_duty_premises: false,
        };
        assert_eq!(event_tier(&market), DutyTier::Enhanced);
        let free_entry = EventFacts {
            entry_checks: false,
            ..market
        };
        assert_eq!(event_tier(&free_entry), DutyTier::OutOfScope);
        assert_eq!(
            event_non_qualifying_reasons(&free_entry),
            ["no checks on entry"]
        );
        let small = EventFacts {
            people_reasonably_expected: 799,
            ..market
        };
        assert_eq!(event_tier(&small), DutyTier::OutOfScope);
        let in_arena = EventFacts {
            at_enhanced_duty_premises: true,
            ..market
        };
        assert_eq!(event_tier(&in_arena), DutyTier::OutOfScope);
    }
}
