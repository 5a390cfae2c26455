"""The supervisor's daily round, weekly spot checks and weekly greening checks: quality inspections on the environment
check sheets of the quality standards library; findings open rectifications."""
