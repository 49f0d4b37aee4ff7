"""School booking (预约): the term calendar, booking requests and their clash checks,
service agreements, the term schedule (排片表), delivery and fees."""
