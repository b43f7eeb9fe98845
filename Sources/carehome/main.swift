print("carehome")
