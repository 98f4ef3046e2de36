package csvio

// The column layouts, in the order the export writes them. The README's
// section "CSV import and export" documents every column.

// GroupColumns are the columns of grupper.csv.
var GroupColumns = []string{"external_id", "name", "name_en", "description", "description_en", "themes", "model",
	"format", "languages", "organisation", "municipality", "venue_name", "street", "postal_code", "city",
	"step_free", "hearing_loop", "accessible_toilet", "weekday", "time", "length", "frequency", "first_date",
	"status", "takes_new_members", "join", "online_url", "online_phone", "online_notes", "contact"}

// VenueColumns are the columns of venues.csv.
var VenueColumns = []string{"external_id", "name", "organisation", "street", "postal_code", "city", "municipality",
	"lat", "lon", "step_free", "hearing_loop", "accessible_toilet", "address_public", "directions", "directions_en"}
