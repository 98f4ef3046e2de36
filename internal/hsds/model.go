// Package hsds speaks the Open Referral Human Services Data Specification
// 3.0 (HSDS): fellesrom's public directory as HSDS objects, the API at /hsds
// and a full export as JSON and as the tabular CSV data package.
//
// Mapping: organisation → organization, group → service, venue → location
// (a virtual location for telephone and video groups), schedule → schedule,
// themes → taxonomy_terms of the one taxonomy "fellesrom-themes". Every
// group goes through finder.Listing, so a closed group's meeting place is
// never exposed: its location names only the municipality.
//
// Import (import.go) reads HSDS documents into the directory by the same
// mapping the other way, keeping each object's original (hsds_extra), and
// the API writes an imported object as its original with what fellesrom
// changed since (original.go).
package hsds

// The HSDS objects fellesrom writes, with the fields it fills. Field names
// and order follow the schemas in ../shared/standards/hsds-3.0/schema.

// Organization is an HSDS organization.
type Organization struct {
	ID                   string     `json:"id"`
	Name                 string     `json:"name"`
	Description          string     `json:"description"`
	Email                string     `json:"email,omitempty"`
	Website              string     `json:"website,omitempty"`
	ParentOrganizationID string     `json:"parent_organization_id,omitempty"`
	Contacts             []Contact  `json:"contacts,omitempty"`
	Phones               []Phone    `json:"phones,omitempty"`
	Locations            []Location `json:"locations,omitempty"`
	Services             []any      `json:"services,omitempty"`
}

// Contact is an HSDS contact: only an organisation's public email and phone.
type Contact struct {
	ID             string  `json:"id"`
	OrganizationID string  `json:"organization_id,omitempty"`
	Name           string  `json:"name,omitempty"`
	Email          string  `json:"email,omitempty"`
	Phones         []Phone `json:"phones,omitempty"`
}

// Phone is an HSDS phone.
type Phone struct {
	ID             string `json:"id"`
	LocationID     string `json:"location_id,omitempty"`
	ServiceID      string `json:"service_id,omitempty"`
	OrganizationID string `json:"organization_id,omitempty"`
	ContactID      string `json:"contact_id,omitempty"`
	Number         string `json:"number"`
	Type           string `json:"type,omitempty"`
	Description    string `json:"description,omitempty"`
}

// Service is an HSDS service: one group.
type Service struct {
	ID                     string              `json:"id"`
	OrganizationID         string              `json:"organization_id"`
	Name                   string              `json:"name"`
	AlternateName          string              `json:"alternate_name,omitempty"`
	Description            string              `json:"description,omitempty"`
	Status                 string              `json:"status"`
	ApplicationProcess     string              `json:"application_process,omitempty"`
	FeesDescription        string              `json:"fees_description,omitempty"`
	EligibilityDescription string              `json:"eligibility_description,omitempty"`
	MinimumAge             *int                `json:"minimum_age,omitempty"`
	MaximumAge             *int                `json:"maximum_age,omitempty"`
	LastModified           string              `json:"last_modified,omitempty"`
	Phones                 []Phone             `json:"phones,omitempty"`
	Schedules              []Schedule          `json:"schedules,omitempty"`
	ServiceAtLocations     []ServiceAtLocation `json:"service_at_locations,omitempty"`
	Languages              []Language          `json:"languages,omitempty"`
	Organization           *Organization       `json:"organization,omitempty"`
	Attributes             []Attribute         `json:"attributes,omitempty"`
}

// Schedule is an HSDS schedule: an RRULE in fields.
type Schedule struct {
	ID          string   `json:"id"`
	ServiceID   string   `json:"service_id,omitempty"`
	DTStart     string   `json:"dtstart,omitempty"`
	Timezone    *float64 `json:"timezone,omitempty"`
	Until       string   `json:"until,omitempty"`
	Count       int      `json:"count,omitempty"`
	Wkst        string   `json:"wkst,omitempty"`
	Freq        string   `json:"freq,omitempty"`
	Interval    int      `json:"interval,omitempty"`
	ByDay       string   `json:"byday,omitempty"`
	Description string   `json:"description,omitempty"`
	OpensAt     string   `json:"opens_at,omitempty"`
	ClosesAt    string   `json:"closes_at,omitempty"`
	Notes       string   `json:"notes,omitempty"`
}

// Language is an HSDS language of a service.
type Language struct {
	ID        string `json:"id"`
	ServiceID string `json:"service_id,omitempty"`
	Name      string `json:"name,omitempty"`
	Code      string `json:"code"`
}

// Location is an HSDS location.
type Location struct {
	ID             string          `json:"id"`
	LocationType   string          `json:"location_type"`
	URL            string          `json:"url,omitempty"` // of a virtual location: the meeting link
	OrganizationID string          `json:"organization_id,omitempty"`
	Name           string          `json:"name,omitempty"`
	Description    string          `json:"description,omitempty"`
	Transportation string          `json:"transportation,omitempty"`
	Latitude       *float64        `json:"latitude,omitempty"`
	Longitude      *float64        `json:"longitude,omitempty"`
	Addresses      []Address       `json:"addresses,omitempty"`
	Accessibility  []Accessibility `json:"accessibility,omitempty"`
	Phones         []Phone         `json:"phones,omitempty"`
}

// Address is an HSDS address: only of a venue whose address is public.
type Address struct {
	ID            string `json:"id"`
	LocationID    string `json:"location_id,omitempty"`
	Address1      string `json:"address_1"`
	City          string `json:"city"`
	Region        string `json:"region,omitempty"`
	StateProvince string `json:"state_province"`
	PostalCode    string `json:"postal_code"`
	Country       string `json:"country"`
	AddressType   string `json:"address_type"`
}

// Accessibility is an HSDS accessibility entry of a location.
type Accessibility struct {
	ID          string `json:"id"`
	LocationID  string `json:"location_id,omitempty"`
	Description string `json:"description,omitempty"`
}

// ServiceAtLocation is an HSDS service_at_location.
type ServiceAtLocation struct {
	ID          string    `json:"id"`
	ServiceID   string    `json:"service_id,omitempty"`
	LocationID  string    `json:"location_id,omitempty"`
	Description string    `json:"description,omitempty"`
	Location    *Location `json:"location,omitempty"`
	Service     *Service  `json:"service,omitempty"`
}

// Taxonomy is an HSDS taxonomy.
type Taxonomy struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Version     string `json:"version,omitempty"`
}

// TaxonomyTerm is an HSDS taxonomy_term: one theme.
type TaxonomyTerm struct {
	ID          string `json:"id"`
	Code        string `json:"code,omitempty"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Taxonomy    string `json:"taxonomy,omitempty"`
	Language    string `json:"language,omitempty"`
	TaxonomyID  string `json:"taxonomy_id,omitempty"`
}

// Attribute links a taxonomy term (a theme) to a service.
type Attribute struct {
	ID             string        `json:"id"`
	LinkID         string        `json:"link_id"`
	TaxonomyTermID string        `json:"taxonomy_term_id"`
	LinkType       string        `json:"link_type,omitempty"`
	LinkEntity     string        `json:"link_entity,omitempty"`
	TaxonomyTerm   *TaxonomyTerm `json:"taxonomy_term,omitempty"`
}
