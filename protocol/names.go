package protocol

// Slugs and type codes are checked on their own by code that makes
// listings (an import renames a slug Validate would refuse, and drops a
// type code it would refuse rather than lose the meeting): these are
// Validate's own rules for them, not copies.

// ValidSlug reports whether s is a slug Validate and SplitID accept: 1-128
// letters, digits, '.', '_', '~' or '-', starting with a letter or digit.
func ValidSlug(s string) bool { return slugPattern.MatchString(s) }

// ValidTypeCode reports whether s is a type code Validate accepts: 1-16
// letters, digits or '-'.
func ValidTypeCode(s string) bool { return typePattern.MatchString(s) }
