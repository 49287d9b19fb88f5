package open311

import "encoding/xml"

// List is a list answer: a JSON array, or in XML the wrapper element Name
// (services, service_requests, service_request_updates, errors) around the
// records, each named by its own XMLName.
type List[T any] struct {
	XMLName xml.Name
	Items   []T
}

// NewList wraps items in the XML element name.
func NewList[T any](name string, items []T) List[T] {
	return List[T]{XMLName: xml.Name{Local: name}, Items: items}
}

// ServiceRecord is one entry of GET services.
type ServiceRecord struct {
	XMLName     xml.Name `xml:"service" json:"-"`
	Code        string   `xml:"service_code" json:"service_code"`
	Name        string   `xml:"service_name" json:"service_name"`
	Description string   `xml:"description" json:"description"`
	Metadata    bool     `xml:"metadata" json:"metadata"`
	Type        string   `xml:"type" json:"type"`
	Keywords    string   `xml:"keywords" json:"keywords"`
	Group       string   `xml:"group" json:"group"`
}

// Definition answers GET services/{code}.
type Definition struct {
	XMLName    xml.Name    `xml:"service_definition" json:"-"`
	Code       string      `xml:"service_code" json:"service_code"`
	Attributes []Attribute `xml:"attributes>attribute" json:"attributes"`
}

// Attribute is a question a service asks beyond the description.
type Attribute struct {
	Variable            bool   `xml:"variable" json:"variable"`
	Code                string `xml:"code" json:"code"`
	Datatype            string `xml:"datatype" json:"datatype"`
	Required            bool   `xml:"required" json:"required"`
	DatatypeDescription string `xml:"datatype_description" json:"datatype_description"`
	Order               int    `xml:"order" json:"order"`
	Description         string `xml:"description" json:"description"`
}

// Receipt answers POST requests.
type Receipt struct {
	XMLName          xml.Name `xml:"request" json:"-"`
	ServiceRequestID string   `xml:"service_request_id" json:"service_request_id"`
	ServiceNotice    string   `xml:"service_notice" json:"service_notice"`
	AccountID        *string  `xml:"account_id" json:"account_id"`
}

// Request is one entry of GET requests.
type Request struct {
	XMLName           xml.Name `xml:"request" json:"-"`
	ServiceRequestID  string   `xml:"service_request_id" json:"service_request_id"`
	Status            string   `xml:"status" json:"status"`
	StatusNotes       string   `xml:"status_notes" json:"status_notes"`
	ServiceName       string   `xml:"service_name" json:"service_name"`
	ServiceCode       string   `xml:"service_code" json:"service_code"`
	Description       string   `xml:"description" json:"description"`
	AgencyResponsible string   `xml:"agency_responsible" json:"agency_responsible"`
	ServiceNotice     string   `xml:"service_notice" json:"service_notice"`
	RequestedDatetime string   `xml:"requested_datetime" json:"requested_datetime"`
	UpdatedDatetime   string   `xml:"updated_datetime" json:"updated_datetime"`
	ExpectedDatetime  string   `xml:"expected_datetime" json:"expected_datetime"`
	Address           string   `xml:"address" json:"address"`
	AddressID         string   `xml:"address_id" json:"address_id"`
	Zipcode           string   `xml:"zipcode" json:"zipcode"`
	Lat               float64  `xml:"lat" json:"lat"`
	Long              float64  `xml:"long" json:"long"`
	MediaURL          string   `xml:"media_url" json:"media_url"`
}

// Update is one entry of GET servicerequestupdates.
type Update struct {
	XMLName          xml.Name `xml:"request_update" json:"-"`
	UpdateID         string   `xml:"update_id" json:"update_id"`
	ServiceRequestID string   `xml:"service_request_id" json:"service_request_id"`
	Status           string   `xml:"status" json:"status"`
	UpdatedDatetime  string   `xml:"updated_datetime" json:"updated_datetime"`
	Description      string   `xml:"description" json:"description"`
	MediaURL         string   `xml:"media_url" json:"media_url"`
}

// Discovery answers GET discovery.
type Discovery struct {
	XMLName    xml.Name   `xml:"discovery" json:"-"`
	Changeset  string     `xml:"changeset" json:"changeset"`
	Contact    string     `xml:"contact" json:"contact"`
	KeyService string     `xml:"key_service" json:"key_service"`
	Endpoints  []Endpoint `xml:"endpoints>endpoint" json:"endpoints"`
}

// Endpoint is one of discovery's endpoints.
type Endpoint struct {
	Specification string   `xml:"specification" json:"specification"`
	URL           string   `xml:"url" json:"url"`
	Changeset     string   `xml:"changeset" json:"changeset"`
	Type          string   `xml:"type" json:"type"`
	Formats       []string `xml:"formats>format" json:"formats"`
}

// Error is one entry of the specification's error list.
type Error struct {
	XMLName     xml.Name `xml:"error" json:"-"`
	Code        int      `xml:"code" json:"code"`
	Description string   `xml:"description" json:"description"`
}
