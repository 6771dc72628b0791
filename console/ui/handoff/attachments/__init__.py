"""Screenshots, pasted images and files on a ticket, redacted by painting before they are kept."""
