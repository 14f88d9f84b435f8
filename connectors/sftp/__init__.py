"""SFTP as school systems use it: drop folders a vendor fills and Atrium empties."""

from connectors.sftp.drop import DropClient, DropFile
from connectors.sftp.session import SftpLogin, open_sftp

__all__ = ["DropClient", "DropFile", "SftpLogin", "open_sftp"]
