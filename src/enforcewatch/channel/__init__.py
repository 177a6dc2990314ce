"""The channel to the monitoring points (seed 000 §六: 加强与监测点的联系沟通…对监测点提出的意见建议…回复处理结果;
§五): notices from the office or a district (`notices`), replies to the suggestions in reports
(`suggestions`), and what a point sees when it signs in with its access code (`inbox`). Nothing of
this is public: the site only shows the sign-in form."""
