"""EnforceWatch: publish a city's enterprise-enforcement lists; take monitoring reports and complaints."""

__version__ = "0.1.0"
