"""Federation: SERVICE calls to allowlisted partners, routed through our own gateway so that each
call has its own timeout, row cap and a named error."""
