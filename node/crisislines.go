package node

import (
	"slices"
	"strings"
)

// Crisis lines by country, for `hearth init --country CC` to fill
// help.crisis_lines with: a hub whose config says nothing shows no number
// at all (every help page then says the operator has not set them), never
// a number that is wrong where the hub is.
//
// Each country lists a line for someone thinking of suicide or in
// distress (where a national one exists) and the emergency number, as the
// source named beside it publishes them: national lines run or endorsed by
// a health authority or a long-standing charity, nothing else; a country
// not listed is asked for by hand. The table was last reviewed on the date
// below, from the organisations' published numbers. Numbers change: an
// operator checks them against the source before relying on them, and
// edits config.toml.
const CrisisLinesChecked = "2026-12-02"

// CountryLines are one country's crisis lines.
type CountryLines struct {
	Code    string   // ISO 3166-1 alpha-2
	Name    string   // in English
	Lines   []string // as help.crisis_lines writes them: "Name: number"
	Sources []string // where the numbers come from
	Zones   []string // IANA zones of the country, to suggest it from the hub's zone
}

var crisisLineTable = []CountryLines{
	{"AU", "Australia", []string{"Lifeline: 13 11 14", "Emergency: 000"},
		[]string{"https://www.lifeline.org.au/", "https://www.triplezero.gov.au/"},
		[]string{"Australia/Sydney", "Australia/Melbourne", "Australia/Brisbane", "Australia/Perth", "Australia/Adelaide", "Australia/Hobart", "Australia/Darwin"}},
	{"BE", "Belgium", []string{"Zelfmoordlijn: 1813", "Centre de Prévention du Suicide: 0800 32 123", "Emergency: 112"},
		[]string{"https://www.zelfmoord1813.be/", "https://www.preventionsuicide.be/"},
		[]string{"Europe/Brussels"}},
	{"BR", "Brazil", []string{"CVV (Centro de Valorização da Vida): 188", "SAMU: 192"},
		[]string{"https://cvv.org.br/", "https://www.gov.br/saude/pt-br/composicao/saes/samu-192"},
		[]string{"America/Sao_Paulo", "America/Manaus", "America/Fortaleza", "America/Recife", "America/Bahia", "America/Belem", "America/Cuiaba", "America/Porto_Velho"}},
	{"CA", "Canada", []string{"9-8-8 Suicide Crisis Helpline (call or text): 988", "Emergency: 911"},
		[]string{"https://988.ca/"},
		[]string{"America/Toronto", "America/Vancouver", "America/Edmonton", "America/Winnipeg", "America/Halifax", "America/St_Johns", "America/Regina"}},
	{"DE", "Germany", []string{"TelefonSeelsorge: 0800 111 0 111", "Notruf: 112"},
		[]string{"https://www.telefonseelsorge.de/"},
		[]string{"Europe/Berlin"}},
	{"ES", "Spain", []string{"Línea 024 (atención a la conducta suicida): 024", "Emergencias: 112"},
		[]string{"https://www.sanidad.gob.es/linea024/"},
		[]string{"Europe/Madrid", "Atlantic/Canary"}},
	{"FR", "France", []string{"3114 (prévention du suicide): 3114", "SAMU: 15", "Urgences: 112"},
		[]string{"https://3114.fr/"},
		[]string{"Europe/Paris"}},
	{"GB", "United Kingdom", []string{"Samaritans: 116 123", "Emergency: 999"},
		[]string{"https://www.samaritans.org/"},
		[]string{"Europe/London"}},
	{"GH", "Ghana", []string{"Emergency: 112"},
		[]string{"https://nca.org.gh/"},
		[]string{"Africa/Accra"}},
	{"IE", "Ireland", []string{"Samaritans: 116 123", "Emergency: 112"},
		[]string{"https://www.samaritans.org/ireland/"},
		[]string{"Europe/Dublin"}},
	{"IN", "India", []string{"Tele-MANAS: 14416", "Emergency: 112"},
		[]string{"https://telemanas.mohfw.gov.in/"},
		[]string{"Asia/Kolkata"}},
	{"IT", "Italy", []string{"Telefono Amico Italia: 02 2327 2327", "Emergenza: 112"},
		[]string{"https://www.telefonoamico.it/"},
		[]string{"Europe/Rome"}},
	{"KE", "Kenya", []string{"Kenya Red Cross (counselling): 1199", "Emergency: 999"},
		[]string{"https://www.redcross.or.ke/"},
		[]string{"Africa/Nairobi"}},
	{"MX", "Mexico", []string{"Línea de la Vida: 800 911 2000", "Emergencias: 911"},
		[]string{"https://www.gob.mx/salud/conadic"},
		[]string{"America/Mexico_City", "America/Cancun", "America/Monterrey", "America/Merida", "America/Chihuahua", "America/Hermosillo", "America/Mazatlan", "America/Tijuana"}},
	{"NG", "Nigeria", []string{"Emergency: 112"},
		[]string{"https://www.ncc.gov.ng/"},
		[]string{"Africa/Lagos"}},
	{"NL", "Netherlands", []string{"113 Zelfmoordpreventie: 0800 0113", "Alarmnummer: 112"},
		[]string{"https://www.113.nl/"},
		[]string{"Europe/Amsterdam"}},
	{"NZ", "New Zealand", []string{"Need to talk? (call or text): 1737", "Emergency: 111"},
		[]string{"https://1737.org.nz/"},
		[]string{"Pacific/Auckland"}},
	{"PH", "Philippines", []string{"NCMH Crisis Hotline: 1553", "Emergency: 911"},
		[]string{"https://ncmh.gov.ph/"},
		[]string{"Asia/Manila"}},
	{"US", "United States", []string{"988 Suicide & Crisis Lifeline (call or text): 988", "Emergency: 911"},
		[]string{"https://988lifeline.org/"},
		[]string{"America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "America/Detroit", "America/Boise", "America/Indiana/Indianapolis"}},
	{"ZA", "South Africa", []string{"SADAG Suicide Crisis Helpline: 0800 567 567", "Emergency from a mobile: 112"},
		[]string{"https://www.sadag.org/"},
		[]string{"Africa/Johannesburg"}},
}

// CrisisLinesFor is the table's entry for a country code ("KE", any case).
func CrisisLinesFor(code string) (CountryLines, bool) {
	code = strings.ToUpper(strings.TrimSpace(code))
	i := slices.IndexFunc(crisisLineTable, func(c CountryLines) bool { return c.Code == code })
	if i < 0 {
		return CountryLines{}, false
	}
	c := crisisLineTable[i]
	c.Lines = slices.Clone(c.Lines) // callers may keep and change them
	return c, true
}

// CountryOfZone is the code of the table's country whose zones include
// zone, for suggesting one; "" if none does.
func CountryOfZone(zone string) string {
	for _, c := range crisisLineTable {
		if slices.Contains(c.Zones, zone) {
			return c.Code
		}
	}
	return ""
}

// CrisisLineCountries are the table's country codes, in order.
func CrisisLineCountries() []string {
	out := make([]string, len(crisisLineTable))
	for i, c := range crisisLineTable {
		out[i] = c.Code
	}
	return out
}
