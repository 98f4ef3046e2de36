package web

// GroupselfLimit lets the tests of package web_test lower the limit of
// requests to a group's link pages.
var GroupselfLimit = &groupselfLimit
