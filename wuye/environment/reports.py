"""Row sources shared by the environment pages, cards and exports."""
